"""`python -m campaign_mock` is the same as `campaign-mock`."""

from .cli import main

raise SystemExit(main())
