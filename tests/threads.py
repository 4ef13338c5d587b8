"""Running one function in several threads that start together, as readers or writers arriving at once."""

import threading

from django.db import connection


def run_together(target, count: int) -> list[BaseException]:
    """Runs `target()` in `count` threads released at the same moment; the errors they raised (none: []).
    Each thread closes its own database connection when it ends."""
    barrier, errors = threading.Barrier(count), []

    def run():
        try:
            barrier.wait()
            target()
        except Exception as error:  # noqa: BLE001 - handed back to the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
