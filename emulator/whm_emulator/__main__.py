import sys

from whm_emulator.cli import main

sys.exit(main())
