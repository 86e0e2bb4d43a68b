"""``python -m alphaimport`` runs the command line."""
from alphaimport.cli import main

raise SystemExit(main())
