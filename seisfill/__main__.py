"""``python -m seisfill`` runs the command line."""

from seisfill.cli import main

raise SystemExit(main())
