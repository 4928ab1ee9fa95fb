"""Forked workers put what they inherit out of their collector's reach; the parent is left be.

Figure processes, which end with their report, do not collect at all.
"""

import subprocess
import sys

# in a fresh process: this one may have threads left by other tests, and then nothing forks
FORKED_WORKERS = """
import gc, multiprocessing
from mobilise.running.executors import ProcessPoolExecutor
from mobilise.running.executors.local import forking_quietly, may_fork
from mobilise.views.drawing import start_drawing

def frozen(_):
    return gc.get_freeze_count()

def collecting(_):
    return gc.isenabled()

if __name__ == "__main__":
    inherited = [[i] for i in range(50_000)]  # tracked objects the parent holds
    before = gc.get_freeze_count()
    assert may_fork()
    with forking_quietly(), multiprocessing.get_context("fork").Pool(1, start_drawing) as pool:
        in_figure_process = pool.map(frozen, [None])[0]  # as views.drawing draws figures
        assert not pool.map(collecting, [None])[0]  # and never collects: it ends with the report
    executor = ProcessPoolExecutor(1)  # a batch's workers, and the app's
    in_batch_worker = executor.submit(frozen, None).result()
    executor_collects = executor.submit(collecting, None).result()  # a long-lived worker does
    executor.close()
    assert executor_collects
    print(in_figure_process - before, in_batch_worker - before, gc.get_freeze_count() - before)
"""


def test_forked_workers_freeze_what_they_inherit_and_the_parent_is_unchanged(tmp_path):
    script = tmp_path / "forked_workers.py"
    script.write_text(FORKED_WORKERS)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    figure_process, batch_worker, parent = map(int, done.stdout.split())
    assert figure_process >= 50_000 and batch_worker >= 50_000  # all they inherited
    assert parent == 0  # this process collects as it did
