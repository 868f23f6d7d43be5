"""The consumers whose own test suites the harness runs: pinned sdists and how to run them."""

from __future__ import annotations

from dataclasses import dataclass

UPSTREAM = "wsproto==1.3.2"


@dataclass(frozen=True)
class Consumer:
    """One consumer: its sdist on the package index and the pytest arguments of its suite."""

    name: str  # distribution name, also the name of requirements/<name>.txt
    version: str
    sha256: str  # of the sdist, checked after every download
    options: tuple[str, ...] = ()  # pytest options; the suite's own addopts are dropped
    paths: tuple[str, ...] = ("tests",)
    extras: str = ""  # installed as name[extras] from the sdist
    # pytest.ini the harness writes into the extracted tree when the sdist has no pytest
    # configuration (else pytest would climb up and take the harness's repository's)
    ini: str | None = None
    notes: str = ""

    @property
    def pin(self) -> str:
        return f"{self.name}=={self.version}"

    @property
    def sdist(self) -> str:
        """The sdist's file name on the package index (normalised, PEP 625)."""
        return f"{self.name.replace('-', '_')}-{self.version}.tar.gz"


CONSUMERS: tuple[Consumer, ...] = (
    Consumer(
        "uvicorn",
        "0.55.0",
        "b65ae5f0f30cdcbc26a104b93d7d19723aa5f46fec3915a6c247d5795449331c",
        # its addopts (-n 8, coverage) are replaced: serial, its own strictness kept
        ("-rxXs", "--strict-config", "--strict-markers", "-k", "wsproto"),
        extras="standard",
        notes="only the tests selected by ``-k wsproto``",
    ),
    Consumer(
        "hypercorn",
        "0.18.0",
        "d63267548939c46b0247dc8e5b45a9947590e35e64ee73a23c074aa3cf88e9da",
        ("--strict-markers",),
        extras="trio",
        notes="h2 pinned to 4.3.0 (its HTTP/2 WebSocket tests fail with h2 4.4 on upstream too)",
    ),
    Consumer(
        "trio-websocket",
        "0.12.2",
        "22c72c436f3d1e264d0910a3951934798dcc5b00ae56fc4ee079d46c7cf20fae",
        # the sdist has no pytest.ini; its repository's sets trio_mode
        ini="[pytest]\ntrio_mode = true\n",
        notes="``trio_mode`` set by the harness; h11 0.16 (its lock's 0.14 predates wsproto 1.3.2)",
    ),
    Consumer(
        "httpx-ws",
        "0.9.0",
        "797373326f70eec1ae96f6e43ae9f12002fd7d73aee139a4985eaab964338a08",
    ),
    Consumer(
        "simple-websocket",
        "1.1.0",
        "7939234e7aa067c534abdab3a9ed933ec9ce4691b0713c78acb195560aa52ae4",
        ini="[pytest]\n",  # its tox.ini has no [pytest] section
        notes="``example.com`` resolves to 127.0.0.1 (its client tests use a mocked socket)",
    ),
)


def by_name(names: list[str]) -> list[Consumer]:
    """The consumers named (all of them for an empty list); ValueError for an unknown name."""
    if not names:
        return list(CONSUMERS)
    known = {c.name: c for c in CONSUMERS}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"unknown consumer(s) {', '.join(unknown)}; known: {', '.join(known)}")
    return [known[n] for n in names]
