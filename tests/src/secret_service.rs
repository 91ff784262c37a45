//! A real Secret Service for tests: a private D-Bus session bus with `gnome-keyring-daemon`
//! serving `org.freedesktop.secrets`, its login keyring created and unlocked under a temporary
//! home. Both processes are killed on drop.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A session bus that activates nothing: only the daemon the test starts serves secrets.
const BUS_CONFIG: &str = r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#;

/// How many times the keyring daemon is started before the test gives up.
const KEYRING_ATTEMPTS: u32 = 3;
/// How long one start may take to serve.
const KEYRING_WAIT: Duration = Duration::from_secs(30);

/// Starts `gnome-keyring-daemon` on the bus with its data under `home`, its output in
/// [`keyring_log`], and hands it the login keyring's password.
fn spawn_keyring(bus_address: &str, home: &Path, attempt: u32) -> Child {
    let log = std::fs::File::create(keyring_log(home, attempt)).expect("keyring log");
    let mut keyring = Command::new("gnome-keyring-daemon")
        .args(["--foreground", "--unlock", "--components=secrets"])
        .env("DBUS_SESSION_BUS_ADDRESS", bus_address)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_RUNTIME_DIR", home)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("gnome-keyring-daemon runs (apt package gnome-keyring)");
    // The daemon reads the login keyring's password from stdin, then serves.
    let mut stdin = keyring.stdin.take().expect("keyring stdin");
    stdin
        .write_all(b"flow-test-keyring")
        .expect("keyring password");
    drop(stdin);
    keyring
}

/// Where attempt `attempt` of the daemon writes its output.
fn keyring_log(home: &Path, attempt: u32) -> PathBuf {
    home.join(format!("gnome-keyring-{attempt}.log"))
}

/// A running session bus and keyring daemon.
pub struct SecretService {
    /// `DBUS_SESSION_BUS_ADDRESS` for clients.
    pub bus_address: String,
    bus_pid: u32,
    keyring: Child,
    home: PathBuf,
}

impl SecretService {
    /// Starts the bus and the keyring daemon with its data under `home`.
    pub fn start(home: &Path) -> Self {
        std::fs::create_dir_all(home).expect("keyring home");
        // A bus without service directories: the standard session config lets the first probe
        // D-Bus-activate a second gnome-keyring-daemon (the system's, with another home and a
        // locked keyring), and ours then exits with "another secret service is running".
        let config = home.join("bus.conf");
        std::fs::write(&config, BUS_CONFIG).expect("bus config");
        let bus = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--fork", "--print-address=1", "--print-pid=1"])
            .stderr(Stdio::null())
            .output()
            .expect("dbus-daemon runs (apt package dbus-daemon)");
        assert!(bus.status.success(), "dbus-daemon failed to start");
        let printed = String::from_utf8_lossy(&bus.stdout).into_owned();
        let mut lines = printed.lines();
        let bus_address = lines.next().expect("bus address").trim().to_owned();
        let bus_pid: u32 = lines
            .next()
            .and_then(|p| p.trim().parse().ok())
            .expect("bus pid");
        let keyring = spawn_keyring(&bus_address, home, 1);
        let mut service = Self {
            bus_address,
            bus_pid,
            keyring,
            home: home.to_path_buf(),
        };
        service.start_serving();
        service
    }

    /// Waits until the daemon serves; one that died or does not answer is started again (up to
    /// [`KEYRING_ATTEMPTS`] times), and a last failure says what the daemon printed.
    fn start_serving(&mut self) {
        for attempt in 1..=KEYRING_ATTEMPTS {
            if attempt > 1 {
                self.stop_keyring();
                self.keyring = spawn_keyring(&self.bus_address, &self.home, attempt);
            }
            if self.wait_until_serving() {
                return;
            }
        }
        let log =
            std::fs::read_to_string(keyring_log(&self.home, KEYRING_ATTEMPTS)).unwrap_or_default();
        panic!(
            "gnome-keyring-daemon did not start serving Secret Service in {KEYRING_ATTEMPTS} attempts; the last one printed: {log:?}"
        );
    }

    /// Whether the daemon serves within [`KEYRING_WAIT`] (false at once when it exits).
    fn wait_until_serving(&mut self) -> bool {
        // A readiness wait, not a timing check: on two busy cores (the rest of the suite running
        // beside it) the daemon has taken more than ten seconds to answer its first call.
        let deadline = Instant::now() + KEYRING_WAIT;
        while Instant::now() < deadline {
            if self.lookup(&[("flow-probe", "x")]).is_some() || self.store_probe() {
                return true;
            }
            if let Ok(Some(status)) = self.keyring.try_wait() {
                eprintln!("gnome-keyring-daemon exited before serving: {status}");
                return false;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    }

    fn stop_keyring(&mut self) {
        if let Err(err) = self.keyring.kill() {
            eprintln!("could not stop gnome-keyring-daemon: {err}");
        }
        if let Err(err) = self.keyring.wait() {
            eprintln!("could not reap gnome-keyring-daemon: {err}");
        }
    }

    fn store_probe(&self) -> bool {
        let mut child = Command::new("secret-tool")
            .args(["store", "--label=probe", "flow-probe", "x"])
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus_address)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("secret-tool runs (apt package libsecret-tools)");
        let written = child
            .stdin
            .take()
            .is_some_and(|mut stdin| stdin.write_all(b"probe").is_ok());
        child.wait().is_ok_and(|s| s.success()) && written
    }

    /// The secret stored with these attributes, read straight from the Secret Service.
    pub fn lookup(&self, attributes: &[(&str, &str)]) -> Option<String> {
        let mut command = Command::new("secret-tool");
        command
            .arg("lookup")
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus_address)
            .stderr(Stdio::null());
        for (key, value) in attributes {
            command.args([key, value]);
        }
        let out = command.output().expect("secret-tool runs");
        (out.status.success() && !out.stdout.is_empty())
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Where the daemon keeps its keyring files.
    pub fn keyring_dir(&self) -> PathBuf {
        self.home.join("data").join("keyrings")
    }
}

impl Drop for SecretService {
    fn drop(&mut self) {
        self.stop_keyring();
        let killed = Command::new("kill").arg(self.bus_pid.to_string()).status();
        if !killed.is_ok_and(|s| s.success()) {
            eprintln!("could not stop dbus-daemon {}", self.bus_pid);
        }
    }
}
