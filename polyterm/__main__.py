from polyterm.cli import main

raise SystemExit(main())
