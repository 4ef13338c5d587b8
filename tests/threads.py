"""Running jobs in threads that start together, as readers or writers arriving at once."""

import threading

from django.db import connection


def race(*jobs) -> tuple[list, list[BaseException]]:
    """Runs each job in its own thread and database connection, all released at the same moment:
    (what the jobs returned, the errors they raised), each in the order they ended."""
    barrier = threading.Barrier(len(jobs))
    results, errors = [], []

    def worker(job):
        try:
            barrier.wait(timeout=10)
            results.append(job())
        except Exception as error:  # noqa: BLE001 - handed back to the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


def run_together(target, count: int) -> list[BaseException]:
    """Runs `target()` in `count` threads released at the same moment; the errors they raised (none: [])."""
    return race(*[target] * count)[1]
