import sys

from tenancy.cli.main import main

sys.exit(main())
