//! Commands that block while the cluster works: `get -w`, `rollout status`,
//! `wait`, and `delete` waiting for its objects to go.
//!
//! Real kubectl blocks on a watch; here a blocking command returns a
//! [`Waiting`] and the caller decides how time passes. A script (and the
//! native CLI) runs simulated time until the command ends
//! ([`finish_in_simulated_time`]); the browser terminal drives it frame by
//! frame and can interrupt it with Ctrl+C. Either way the command is polled
//! after every step of the world, so what it prints does not depend on how
//! time was sliced.

use crate::Output;
use apimachinery::Timestamp;
use world::World;

/// A kubectl command still running.
pub trait Waiting {
    /// Called after each step of the world: appends what the command printed
    /// since the last call to `out` and returns true once the command has
    /// ended (`out.code` is then its exit code). A command with a deadline
    /// ends by itself when polled at or after it.
    fn poll(&mut self, world: &World, out: &mut Output) -> bool;
    /// When the command gives up on its own (`--timeout`), if it has one
    /// now (`kubectl wait` sets one per object as it reaches it).
    fn deadline(&self) -> Option<Timestamp>;
    /// Runs until interrupted (`get -w`): it never ends by itself.
    fn until_interrupted(&self) -> bool {
        false
    }
    /// `kubectl exec`: the command to run in a container, which the shell
    /// takes over (it owns the in-container shell). Taken once.
    fn take_exec(&mut self) -> Option<crate::exec::ExecRequest> {
        None
    }
}

/// Runs simulated time until `waiting` ends; `limit` bounds a command with
/// no deadline of its own. Returns whether it ended by itself.
pub fn finish_in_simulated_time(world: &mut World, waiting: &mut dyn Waiting, out: &mut Output, limit: Timestamp) -> bool {
    loop {
        let deadline = waiting.deadline().unwrap_or(limit);
        if world.run_until(deadline, |w| waiting.poll(w, out)) {
            return true;
        }
        // A deadline that moved on (the next object of `kubectl wait`) runs
        // again; one that held still has passed.
        if waiting.deadline().is_none_or(|d| d == deadline) {
            return false;
        }
    }
}
