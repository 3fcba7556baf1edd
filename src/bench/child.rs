//! `hubert` as a child process for `hubert bench crash`: `hubert admin create-token` and
//! `hubert serve` on a free loopback port with the run's environment, readiness through
//! `/healthz`, SIGKILL and SIGTERM. The children's output goes to one log file, whose tail
//! goes into errors.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use bytes::Bytes;
use hyper::Method;
use tokio::process::{Child, Command};

use super::client::Conn;

/// Runs the `hubert` binary as a child process with the run's environment.
pub struct Children {
    pub bin: PathBuf,
    pub env: Vec<(&'static str, String)>,
    pub log: PathBuf,
}

/// A running `hubert serve`.
pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
}

impl Children {
    fn command(&self, args: &[&str]) -> anyhow::Result<Command> {
        let log = std::fs::OpenOptions::new().create(true).append(true).open(&self.log)?;
        let mut cmd = Command::new(&self.bin);
        cmd.args(args)
            .envs(self.env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log))
            .kill_on_drop(true);
        Ok(cmd)
    }

    /// `hubert admin create-token`: creates the database, the workspace and an admin token.
    pub async fn create_token(&self) -> anyhow::Result<String> {
        let mut cmd = self.command(&["admin", "create-token", "--name", "bench-crash", "--role", "admin"])?;
        cmd.stdout(Stdio::piped());
        let out = tokio::time::timeout(Duration::from_secs(60), cmd.output())
            .await
            .context("hubert admin create-token timed out")??;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let token = stdout.split_whitespace().find(|w| w.starts_with("hub_"));
        match (out.status.success(), token) {
            (true, Some(token)) => Ok(token.to_owned()),
            _ => bail!(
                "hubert admin create-token failed ({}): {stdout}\n{}",
                out.status,
                self.log_tail()
            ),
        }
    }

    /// Starts `hubert serve` on a free loopback port.
    pub fn spawn_server(&self) -> anyhow::Result<Server> {
        let addr = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
        let child = self.command(&["serve", "--listen", &addr.to_string()])?.spawn()?;
        Ok(Server { child, addr })
    }

    /// Starts `hubert serve` and waits until `/healthz` answers 200; returns the server and
    /// the time that took. Tries again on another port when the child exits early.
    pub async fn start(&self) -> anyhow::Result<(Server, Duration)> {
        let started = Instant::now();
        for _ in 0..3 {
            let mut server = self.spawn_server()?;
            if wait_ready(&mut server).await? {
                return Ok((server, started.elapsed()));
            }
        }
        bail!("hubert serve did not start\n{}", self.log_tail())
    }

    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        format!(
            "--- last lines of {} ---\n{}",
            self.log.display(),
            lines[lines.len().saturating_sub(30)..].join("\n")
        )
    }
}

impl Server {
    pub async fn kill(&mut self) -> anyhow::Result<()> {
        self.child.start_kill()?;
        self.child.wait().await?;
        Ok(())
    }

    /// SIGTERM (graceful shutdown); SIGKILL when it takes longer than ten seconds.
    pub async fn terminate(&mut self) -> anyhow::Result<()> {
        if let Some(pid) = self.child.id() {
            // SAFETY: sends a signal to our own child process, which has not been reaped yet.
            unsafe {
                libc::kill(pid as libc::pid_t, libc::SIGTERM);
            }
        }
        if tokio::time::timeout(Duration::from_secs(10), self.child.wait())
            .await
            .is_err()
        {
            self.kill().await?;
        }
        Ok(())
    }
}

/// Polls `/healthz` until it answers 200 (true) or the child exits (false); 60 s at most.
async fn wait_ready(server: &mut Server) -> anyhow::Result<bool> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if server.child.try_wait()?.is_some() {
            return Ok(false);
        }
        if let Ok(mut conn) = Conn::connect(server.addr).await {
            if let Ok((200, _)) = conn.call(Method::GET, "/healthz", &[], Bytes::new()).await {
                return Ok(true);
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    bail!("hubert serve was not ready after 60 s")
}
