"""Build the 1,000,000-person demo county on a fresh SQLite database and report time and peak memory.

The floor, measured in the same run: inserting the same number of member rows with plain sqlite3
executemany (no ORM, no encryption, no generation). The ratio says what the generator, the encryption and
the ORM cost on top of raw inserts on this machine, whatever its speed today.

    python bench/bench_demo_build.py [--people 1000000]
"""

import argparse
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def floor_seconds(rows: int, path: Path) -> float:
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE m (id INTEGER PRIMARY KEY, household_id INT, name TEXT, id_number_cipher TEXT, "
               "id_number_digest TEXT UNIQUE, id_number_masked TEXT, sex TEXT, birth_date TEXT)")
    started = time.perf_counter()
    batch = []
    for i in range(rows):
        batch.append((i // 3, "某某", "v1:" + "x" * 60, f"{i:040d}", "513225********0000", "male", "1980-01-01"))
        if len(batch) == 10_000:
            db.executemany("INSERT INTO m (household_id, name, id_number_cipher, id_number_digest, id_number_masked, "
                           "sex, birth_date) VALUES (?,?,?,?,?,?,?)", batch)
            batch.clear()
    if batch:
        db.executemany("INSERT INTO m (household_id, name, id_number_cipher, id_number_digest, id_number_masked, "
                       "sex, birth_date) VALUES (?,?,?,?,?,?,?)", batch)
    db.commit()
    db.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bangfu-bench-") as tmp:
        env = dict(os.environ, BANGFU_VAR_DIR=tmp)
        env.pop("DATABASE_URL", None)
        bangfu = [sys.executable, "-m", "bangfu.cli"]
        subprocess.run([*bangfu, "migrate", "-v0"], env=env, check=True)
        started = time.perf_counter()
        subprocess.run([*bangfu, "build-demo", "--people", str(args.people)], env=env, check=True)
        build = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        floor = floor_seconds(args.people, Path(tmp) / "floor.sqlite3")
        size_mb = (Path(tmp) / "bangfu.sqlite3").stat().st_size / 2**20
    print(f"people={args.people} build_seconds={build:.1f} peak_rss_mb={peak_mb:.0f} db_mb={size_mb:.0f} "
          f"floor_seconds={floor:.1f} ratio={build / floor:.1f}")


if __name__ == "__main__":
    main()
