try:
    from polyterm.cli import main
except KeyboardInterrupt:  # Ctrl-C while Python imports polyterm: one line, no traceback
    import sys

    sys.stderr.write("polyterm: interrupted; nothing was written\n")
    raise SystemExit(130) from None

raise SystemExit(main())
