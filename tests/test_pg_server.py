"""The throwaway PostgreSQL cluster works as the PostgreSQL store will need it to."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from pg_server import PgServer, find_bindir

SURNAMES = ["佐藤", "鈴木", "高橋", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田"]
GIVEN = ["太郎", "花子", "一郎", "美咲", "健太", "陽子", "翔", "由美", "大輔", "さくら"]
TANAKA_EVERY = 500  # one row in this many is a 田中, so the pattern is selective


@pytest.fixture
def engine(pg_url: str) -> Iterator[Engine]:
    """A SQLAlchemy engine on this test's database, disposed of afterwards."""
    engine = create_engine(pg_url, pool_size=4)
    try:
        yield engine
    finally:
        engine.dispose()


def test_url_reaches_a_fresh_utf8_database_over_the_socket_only(
    pg_server: PgServer, pg_url: str, engine: Engine
) -> None:
    """The URL names the socket folder, and the server has no TCP listener at all."""
    url = make_url(pg_url)
    assert url.drivername == "postgresql+psycopg"
    assert url.host is None and url.query["host"] == str(pg_server.socket_dir)
    assert url.username == pg_server.superuser
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT current_database()")) == url.database
        assert conn.scalar(text("SHOW listen_addresses")) == ""
        assert conn.scalar(text("SHOW server_encoding")) == "UTF8"
        assert conn.scalar(text("SHOW lc_ctype")) == "C.UTF-8"
        assert conn.scalar(text("SHOW fsync")) == "off"
        assert int(conn.scalar(text("SHOW server_version_num")) or 0) >= 150000


def test_template_provides_pg_trgm(engine: Engine) -> None:
    """Each test database is cloned from a template that has pg_trgm installed."""
    with engine.connect() as conn:
        version = conn.scalar(text("SELECT extversion FROM pg_extension WHERE extname='pg_trgm'"))
        assert version is not None
        assert conn.scalar(text("SELECT similarity('田中太郎', '田中次郎')")) > 0


def _make_people(conn: psycopg.Connection[tuple[object, ...]], rows: int = 20_000) -> list[str]:
    """Fill a trigram-indexed table with Japanese names, a few of them 田中; return them all."""
    names = [
        ("田中" if i % TANAKA_EVERY == 0 else SURNAMES[i % 10]) + GIVEN[(i // 10) % 10] + str(i)
        for i in range(rows)
    ]
    conn.execute("CREATE TABLE people (id serial PRIMARY KEY, name text NOT NULL)")
    with conn.cursor().copy("COPY people (name) FROM STDIN") as copy:
        for name in names:
            copy.write_row((name,))
    conn.execute("CREATE INDEX people_name_trgm ON people USING gin (name gin_trgm_ops)")
    conn.execute("ANALYZE people")
    return names


def _index_scan(conn: psycopg.Connection[tuple[object, ...]], pattern: str) -> dict[str, object]:
    """The Bitmap Index Scan node of EXPLAIN ANALYZE for a LIKE, failing if there is none."""
    row = conn.execute(
        "EXPLAIN (ANALYZE, FORMAT JSON) SELECT id FROM people WHERE name LIKE %s", (pattern,)
    ).fetchone()
    assert row is not None
    plan = row[0] if isinstance(row[0], list) else json.loads(str(row[0]))
    node = plan[0]["Plan"]
    while node["Node Type"] != "Bitmap Index Scan":
        assert node.get("Plans"), f"no index scan for {pattern}: {plan}"
        node = node["Plans"][0]
    assert node["Index Name"] == "people_name_trgm"
    return node


def test_trigram_index_finds_japanese_substrings(pg_server: PgServer, pg_url: str) -> None:
    """LIKE '%田中%' finds exactly the 田中 rows, and a trigram GIN index serves it."""
    with pg_server.connect(make_url(pg_url).database or "") as conn:
        names = _make_people(conn)
        found = {r[0] for r in conn.execute("SELECT name FROM people WHERE name LIKE '%田中%'")}
        assert found == {n for n in names if "田中" in n}
        assert len(found) == len(names) // TANAKA_EVERY

        conn.execute("SET enable_seqscan = off")
        node = _index_scan(conn, "%田中%")
        assert node["Index Cond"] == "(name ~~ '%田中%'::text)"


def test_trigram_index_narrows_only_from_three_characters(pg_server: PgServer, pg_url: str) -> None:
    """Why a 2-character name needs a prefix search: '%田中%' has no trigram to look up.

    pg_trgm pads only word ends, so an unanchored 2-character pattern yields no trigram and
    the GIN scan returns every row for a recheck; the planner then rightly prefers a seq
    scan. A 3-character pattern, or an anchored 2-character prefix, narrows in the index.
    """
    with pg_server.connect(make_url(pg_url).database or "") as conn:
        names = _make_people(conn)
        conn.execute("SET enable_seqscan = off")
        assert _index_scan(conn, "%田中%")["Actual Rows"] == len(names)  # the whole index
        conn.execute("RESET enable_seqscan")  # the planner's own choice from here on
        assert _index_scan(conn, "%田中太%")["Actual Rows"] == sum("田中太" in n for n in names)
        assert _index_scan(conn, "田中%")["Actual Rows"] == sum(n.startswith("田中") for n in names)


@pytest.mark.parametrize("attempt", [1, 2])
def test_each_test_gets_a_fresh_database(engine: Engine, attempt: int) -> None:
    """A table one test leaves behind is not in the next test's database."""
    with engine.begin() as conn:
        assert conn.scalar(text("SELECT to_regclass('leftover')")) is None
        conn.execute(text("CREATE TABLE leftover (attempt int)"))
        conn.execute(text("INSERT INTO leftover VALUES (:a)"), {"a": attempt})


def test_two_databases_are_isolated(pg_server: PgServer, engine: Engine) -> None:
    """Rows written in one test database are invisible from another."""
    other = pg_server.create_database()
    other_engine = create_engine(pg_server.url(other))
    try:
        for eng, label in ((engine, "first"), (other_engine, "second")):
            with eng.begin() as conn:
                conn.execute(text("CREATE TABLE t (label text)"))
                conn.execute(text("INSERT INTO t VALUES (:label)"), {"label": label})
        for eng, label in ((engine, "first"), (other_engine, "second")):
            with eng.connect() as conn:
                assert conn.execute(text("SELECT label FROM t")).scalars().all() == [label]
    finally:
        other_engine.dispose()
        pg_server.drop_database(other)
    with pg_server.connect() as admin:
        gone = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (other,)).fetchone()
        assert gone is None


def _counter(engine: Engine) -> None:
    """A one-row counter table at zero."""
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL)"))
        conn.execute(text("INSERT INTO counter VALUES (1, 0)"))


def test_read_modify_write_loses_updates_without_a_lock(engine: Engine) -> None:
    """The control: two READ COMMITTED transactions that read before either writes lose one."""
    _counter(engine)
    with engine.connect() as a, engine.connect() as b:
        seen_a = a.scalar(text("SELECT n FROM counter WHERE id = 1"))
        seen_b = b.scalar(text("SELECT n FROM counter WHERE id = 1"))
        a.execute(text("UPDATE counter SET n = :n WHERE id = 1"), {"n": seen_a + 1})
        a.commit()
        b.execute(text("UPDATE counter SET n = :n WHERE id = 1"), {"n": seen_b + 1})
        b.commit()
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT n FROM counter")) == 1


def test_advisory_xact_lock_serialises_concurrent_increments(engine: Engine) -> None:
    """4 threads x 100 read-modify-write increments under READ COMMITTED end at exactly 400."""
    _counter(engine)
    engine = engine.execution_options(isolation_level="READ COMMITTED")
    threads, increments, key = 4, 100, 4242
    start = threading.Barrier(threads)
    errors: list[BaseException] = []

    def work() -> None:
        """Increment the counter, each transaction first taking the advisory lock."""
        try:
            start.wait()
            for _ in range(increments):
                with engine.begin() as conn:
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
                    n = conn.scalar(text("SELECT n FROM counter WHERE id = 1"))
                    conn.execute(text("UPDATE counter SET n = :n WHERE id = 1"), {"n": n + 1})
        except BaseException as error:  # a thread's failure must fail the test
            errors.append(error)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert not errors
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT n FROM counter")) == threads * increments


def _jobs(engine: Engine, count: int) -> None:
    """A queue table of unclaimed jobs."""
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE jobs (id int PRIMARY KEY, claimed_by text)"))
        conn.execute(text("INSERT INTO jobs SELECT g, NULL FROM generate_series(1, :n) g"),
                     {"n": count})  # fmt: skip


CLAIM = text(
    "SELECT id FROM jobs WHERE claimed_by IS NULL ORDER BY id LIMIT :n FOR UPDATE SKIP LOCKED"
)


def test_skip_locked_gives_concurrent_claimers_disjoint_rows(engine: Engine) -> None:
    """While one claimer holds its rows, a second one skips them instead of waiting."""
    _jobs(engine, 10)
    with engine.connect() as a, engine.connect() as b:
        claimed_a = a.execute(CLAIM, {"n": 3}).scalars().all()
        b.execute(text("SET LOCAL lock_timeout = '1s'"))  # a wait would fail, not hang
        claimed_b = b.execute(CLAIM, {"n": 3}).scalars().all()
        assert claimed_a == [1, 2, 3]
        assert claimed_b == [4, 5, 6]
        a.rollback()  # a claimer that gives up releases its rows to the next one
        b.commit()
        assert a.execute(CLAIM, {"n": 3}).scalars().all() == [1, 2, 3]
        a.rollback()


def test_skip_locked_drains_a_queue_with_no_job_taken_twice(engine: Engine) -> None:
    """Two threads claiming one job at a time take every job exactly once between them."""
    jobs = 200
    _jobs(engine, jobs)
    taken: dict[str, list[int]] = {"a": [], "b": []}
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def claimer(name: str) -> None:
        """Claim, mark and commit jobs until none is left."""
        try:
            start.wait()
            while True:
                with engine.begin() as conn:
                    job = conn.execute(CLAIM, {"n": 1}).scalar()
                    if job is None:
                        return
                    conn.execute(text("UPDATE jobs SET claimed_by = :c WHERE id = :id"),
                                 {"c": name, "id": job})  # fmt: skip
                    taken[name].append(job)
        except BaseException as error:  # a thread's failure must fail the test
            errors.append(error)

    workers = [threading.Thread(target=claimer, args=(name,)) for name in taken]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert not errors
    assert not set(taken["a"]) & set(taken["b"])
    assert sorted(taken["a"] + taken["b"]) == list(range(1, jobs + 1))
    with engine.connect() as conn:
        by = dict(conn.execute(text("SELECT claimed_by, count(*) FROM jobs GROUP BY 1")).all())
        assert by == {name: len(ids) for name, ids in taken.items() if ids}


def test_a_database_can_demand_a_password(pg_server: PgServer, pg_url: str) -> None:
    """require_password switches one database to scram-sha-256 and leaves the rest on trust."""
    role, password = "meishi_pw", "s3cret パスワード"
    dbname = pg_server.require_password(role, password)
    try:
        with create_engine(pg_server.url(dbname, user=role, password=password)).connect() as c:
            assert c.scalar(text("SELECT current_user")) == role
            c.execute(text("CREATE TABLE mine (x int)"))  # the role owns its database
        for wrong in ("", "wrong"):
            with pytest.raises(psycopg.OperationalError, match="password"):
                pg_server.connect(dbname, user=role, password=wrong, passfile=os.devnull)
        # Other databases keep trusting the socket, for the role too.
        with pg_server.connect(make_url(pg_url).database or "", user=role) as conn:
            assert conn.execute("SELECT current_user").fetchone() == (role,)
    finally:
        pg_server.drop_database(dbname)
        with pg_server.connect() as admin:
            admin.execute(f"DROP ROLE {role}")


def test_missing_binaries_fail_naming_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without PostgreSQL the fixtures fail, not skip, and say what to install."""
    monkeypatch.delenv("MEISHI_PG_BINDIR", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(pytest.fail.Exception, match="apt-get install postgresql"):
        find_bindir(debian_root=tmp_path)


CRASHING_SESSION = """
import os, sys, time
sys.path.insert(0, sys.argv[1])
from pg_server import PgServer
server = PgServer.start()
print(server.root, server.data_dir / "postmaster.pid", flush=True)
time.sleep(60)
"""


def test_cluster_goes_away_when_the_test_process_is_killed(tmp_path: Path) -> None:
    """A SIGKILLed session leaves no server running and no folder behind: the watchdog's job."""
    here = str(Path(__file__).parent)
    session = subprocess.Popen(
        [sys.executable, "-c", CRASHING_SESSION, here], stdout=subprocess.PIPE, text=True
    )
    try:
        assert session.stdout is not None
        root, pidfile = session.stdout.readline().split()
        postmaster = int(Path(pidfile).read_text().split()[0])
        os.kill(postmaster, 0)  # running
    finally:
        session.kill()
        session.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (Path(root).exists() or _alive(postmaster)):
        time.sleep(0.05)
    assert not _alive(postmaster)
    assert not Path(root).exists()


def _alive(pid: int) -> bool:
    """Whether a process of ours still exists (a zombie counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat")
    return not (status.exists() and status.read_text().split(") ")[-1].startswith("Z"))
