"""A child process that reads one SELECT from a SQLite file with ADBC's driver and streams it as Arrow IPC.

Run by engine/snapshot.py as `python -m bangfu.monitoring.engine.sqlite_reader`, the request (path, SQL with `?`
parameters, parameters, batch size) as JSON on stdin, the record batches on stdout. Why a process of its own:
ADBC's driver carries its own copy of SQLite, and two copies of SQLite in one process can corrupt a database
(POSIX locks belong to the process, so one copy closing its file drops the other's locks: see "How To Corrupt An
SQLite Database File", section 2.2.1). It was seen here: a write after an in-process read reported "database disk
image is malformed". In its own process the driver is one more reader, as a second program would be; it also reads
on the other core while the screening's rules run. Imports neither Django nor bangfu: it starts in a fraction of
a second.
"""

import json
import sys


def main() -> None:
    import adbc_driver_sqlite.dbapi as adbc
    import pyarrow as pa

    request = json.load(sys.stdin)
    out = pa.output_stream(sys.stdout.buffer)
    with adbc.connect(request["path"], autocommit=True) as con, con.cursor() as cursor:
        cursor.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": str(request["batch_rows"])})
        cursor.execute(request["sql"], tuple(request["params"]) or None)
        reader = cursor.fetch_record_batch()
        with pa.ipc.new_stream(out, reader.schema) as writer:
            for batch in reader:
                writer.write_batch(batch)


if __name__ == "__main__":
    main()
