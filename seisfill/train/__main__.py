"""``python -m seisfill.train`` / ``torchrun -m seisfill.train``: see :func:`seisfill.train.main`."""

from seisfill.train.loop import main

if __name__ == "__main__":
    raise SystemExit(main())
