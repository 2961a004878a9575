from phonetui.cli import main

raise SystemExit(main())
