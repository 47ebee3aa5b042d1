"""A real single-node Slurm cluster for the tests: Debian's slurm-wlm, munge, slurmdbd and MariaDB on
127.0.0.1, everything (config, state, logs, database) in one folder, every daemon started by us in its
foreground mode and stopped by its own PID.

    python tests/local_slurm.py up FOLDER      # prints `export SLURM_CONF=...`; Ctrl-C stops it
    python tests/local_slurm.py install        # apt-get the packages (root), nothing else

Facts this config rests on (measured on a 2-core Debian 12 VM, Slurm 22.05):
- no cgroups in a container: ProctrackType=proctrack/linuxproc, TaskPlugin=task/none;
- without DefMemPerCPU a job is given the whole node's memory, so jobs run one at a time;
- kill_invalid_depend must be in DependencyParameters (22.05 ignores it under SchedulerParameters),
  otherwise a job depending on a failed one stays pending for ever;
- without accounting (slurmdbd) sacct knows nothing and submitit never sees a cancelled job finish.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere
from stilts_utils.executors.kernels import die_with_parent  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from apt_packages import apt_install  # noqa: E402

PACKAGES = ["slurm-wlm", "munge", "slurmdbd", "mariadb-server"]
BINARIES = ["slurmctld", "slurmd", "slurmdbd", "munged", "mariadbd", "sbatch", "sacct"]
CLUSTER = "stiltstest"
NODE = "stiltsnode"


def missing() -> list[str]:
    return [b for b in BINARIES if shutil.which(b) is None and not Path("/usr/sbin", b).exists()]


def install() -> None:
    """apt-get the packages when a binary is missing (about 25 s); needs root and the Debian mirror."""
    if not missing():
        return
    apt_install(PACKAGES)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sbin(name: str) -> str:
    return shutil.which(name) or f"/usr/sbin/{name}"


@dataclass
class Cluster:
    root: Path
    cpus: int = 2
    mem_mb: int = 4096  # what the node offers; DefMemPerCPU shares it so jobs run side by side
    procs: dict = field(default_factory=dict)  # daemon name -> Popen (ours: started here)

    @property
    def conf(self) -> Path:
        return self.root / "etc" / "slurm.conf"

    @property
    def env(self) -> dict:
        """What a client (sbatch, sacct, submitit) needs to talk to this cluster."""
        return {"SLURM_CONF": str(self.conf)}

    def _write_configs(self) -> None:
        r = self.root
        for sub in ("etc", "state", "spool", "log", "munge", "db", "run"):
            (r / sub).mkdir(parents=True, exist_ok=True)
        self.ports = {"ctld": _free_port(), "slurmd": _free_port(), "dbd": _free_port(), "db": _free_port()}
        sock = r / "munge" / "munge.sock"
        (r / "munge" / "munge.key").write_bytes(os.urandom(1024))
        os.chmod(r / "munge" / "munge.key", 0o400)
        os.chmod(r / "munge", 0o755)  # munged wants its socket's folder searchable by all
        p = self.ports
        self.conf.write_text(f"""\
ClusterName={CLUSTER}
SlurmctldHost={socket.gethostname().split('.')[0]}(127.0.0.1)
MailProg=/bin/true
SlurmctldPort={p['ctld']}
SlurmdPort={p['slurmd']}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket={sock}
CredType=cred/munge
StateSaveLocation={r}/state
SlurmdSpoolDir={r}/spool
SlurmctldPidFile={r}/run/slurmctld.pid
SlurmdPidFile={r}/run/slurmd.pid
SlurmctldLogFile={r}/log/slurmctld.log
SlurmdLogFile={r}/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=127.0.0.1
AccountingStoragePort={p['dbd']}
AccountingStoragePass={sock}
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU={self.mem_mb // (2 * self.cpus)}
DependencyParameters=kill_invalid_depend
MpiDefault=none
ReturnToService=2
SchedulerParameters=sched_interval=1,bf_interval=1
MinJobAge=600
KillWait=5
NodeName={NODE} NodeAddr=127.0.0.1 NodeHostname={socket.gethostname()} CPUs={self.cpus} RealMemory={self.mem_mb} State=UNKNOWN
PartitionName=debug Nodes={NODE} Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
""")
        dbd = r / "etc" / "slurmdbd.conf"
        dbd.write_text(f"""\
AuthType=auth/munge
AuthInfo=socket={sock}
DbdHost=localhost
DbdAddr=127.0.0.1
DbdPort={p['dbd']}
SlurmUser=root
LogFile={r}/log/slurmdbd.log
PidFile={r}/run/slurmdbd.pid
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort={p['db']}
StorageUser=root
StorageLoc=slurm_acct_db
""")
        os.chmod(dbd, 0o600)  # slurmdbd refuses a config others can read

    def _start(self, name: str, cmd: list, env: dict | None = None) -> None:
        log = open(self.root / "log" / f"{name}.out", "ab")
        self.procs[name] = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            env={**os.environ, **self.env, **(env or {})}, start_new_session=True,
                                            preexec_fn=die_with_parent())  # a killed test leaves no daemon

    def _wait(self, what: str, ready, timeout: float = 60.0) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited with {proc.returncode} while waiting for {what}; "
                                       f"see {self.root / 'log'}")
            if ready():
                return
            time.sleep(0.1)
        raise RuntimeError(f"timed out waiting for {what}; see {self.root / 'log'}")

    def _ok(self, cmd: list) -> bool:
        return subprocess.run(cmd, env={**os.environ, **self.env}, capture_output=True).returncode == 0

    def start(self) -> "Cluster":
        try:
            return self._start_all()
        except BaseException:
            self.stop()
            raise

    def _start_all(self) -> "Cluster":
        self._write_configs()
        r = self.root
        self._start("munged", [_sbin("munged"), "-F", f"--key-file={r}/munge/munge.key",
                               f"--socket={r}/munge/munge.sock", f"--pid-file={r}/run/munged.pid",
                               f"--log-file={r}/log/munged.log", f"--seed-file={r}/munge/seed", "--force"])
        subprocess.run(["mariadb-install-db", "--no-defaults", f"--datadir={r}/db", "--user=root",
                        "--auth-root-authentication-method=normal", "--skip-test-db"],
                       check=True, capture_output=True)
        self._start("mariadbd", [_sbin("mariadbd"), "--no-defaults", f"--datadir={r}/db", "--user=root",
                                 "--bind-address=127.0.0.1", f"--port={self.ports['db']}",
                                 f"--socket={r}/run/mysql.sock", f"--pid-file={r}/run/mariadbd.pid",
                                 "--skip-name-resolve", f"--log-error={r}/log/mariadbd.log"])
        self._wait("mariadb", lambda: (r / "run" / "mysql.sock").exists())
        self._wait("munged", lambda: (r / "munge" / "munge.sock").exists())
        self._start("slurmdbd", [_sbin("slurmdbd"), "-D"])
        self._wait("slurmdbd", lambda: self._ok(["sacctmgr", "-n", "list", "cluster"]))
        self._ok(["sacctmgr", "-i", "add", "cluster", CLUSTER])
        self._start("slurmctld", [_sbin("slurmctld"), "-D", "-i", "-f", str(self.conf)])
        self._wait("slurmctld", lambda: self._ok(["scontrol", "ping"]))
        self._start("slurmd", [_sbin("slurmd"), "-D", "-N", NODE, "-f", str(self.conf)])
        self._wait("an idle node", lambda: "idle" in subprocess.run(
            ["sinfo", "-h", "-o", "%t"], env={**os.environ, **self.env}, capture_output=True, text=True).stdout)
        return self

    def stop(self) -> None:
        """SIGTERM to each daemon we started (reverse order), SIGKILL to any still there after 10 s."""
        for name in reversed(list(self.procs)):
            proc = self.procs[name]
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        self.procs.clear()


def main(argv: list[str]) -> int:
    if argv[:1] == ["install"]:
        install()
        return 0
    if len(argv) != 2 or argv[0] != "up":
        print("usage: python tests/local_slurm.py {install | up FOLDER}", file=sys.stderr)
        return 2
    install()
    cluster = Cluster(Path(argv[1]).resolve(), cpus=os.cpu_count() or 1).start()
    print(f"export SLURM_CONF={cluster.conf}   # Ctrl-C stops the cluster", flush=True)
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
