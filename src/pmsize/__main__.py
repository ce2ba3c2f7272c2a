"""The entry point of the `pmsize` script and of `python -m pmsize`.

Its first act is to install the signal handlers (Ctrl-C, SIGTERM, SIGHUP), and
before it does, it and the `pmsize` package import nothing that is not already
loaded: a signal in the first moments of a run, while the libraries are still
being imported (the slow part of start-up), is its message and 128 + the signal,
never a traceback or a silent death. During start-up a signal is remembered and
acted on once the command line is imported (`signals.install`). Then it readies
the standard streams (`startup`) and runs the command line.
"""

import gc
import sys


def main() -> None:
    """Install the signal handlers, ready the streams, then run the command line.

    The cyclic garbage collector is paused from here to the start of the command
    (`cli.boundary` resumes it): importing the libraries and building the command line
    allocate hundreds of thousands of objects that live to the end and hold few cycles,
    and the collector would scan them again and again for nothing.
    """
    try:
        from pmsize import _signals as signals

        signals.install(deferred=True)  # from here, a signal is remembered
        gc.disable()
        from pmsize import _startup as startup

        startup.ready()
        from pmsize.cli import main as run

        signals.install()  # from here, raised where it lands: `finally` blocks clean up
        signals.raise_remembered()
        # inside the `try`: a signal landing between here and the command line's own
        # handling (a few instructions, but a loaded machine finds them) is still told
        run(collector_paused=True)
    except KeyboardInterrupt as exc:  # Ctrl-C (or a signal) during start-up
        sys.exit(_interrupted(exc))
    except RuntimeError as exc:  # Ctrl-C in a class's __set_name__, wrapped (Python 3.11)
        if not isinstance(exc.__cause__, KeyboardInterrupt):
            raise
        sys.exit(_interrupted(exc.__cause__))


def _interrupted(exc: BaseException) -> int:
    from pmsize import _signals as signals

    return signals.interrupted(exc)


if __name__ == "__main__":
    main()
