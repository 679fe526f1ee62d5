from ecomlib.cli import main

raise SystemExit(main())
