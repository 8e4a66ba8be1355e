using Akka.Actor;
using Akka.Event;

namespace Kamune.Actors.Runtime;

// The manager's graceful stop (ShutdownNode, issue 3), apart from its admission of connections.
internal sealed partial class KamuneManager
{
    // Graceful stop (issue 3): every session sends CLOSE_TRANSPORT, every writer flushes and closes (bounded), and
    // only then do the listeners unbind: Akka.IO resets a listener's accepted sockets when it unbinds.
    private void BeginShutdown(ShutdownNode shutdown)
    {
        if (_shutdownWaiters is not null)
        {
            _shutdownWaiters.Add(Sender);
            CompleteShutdownIfDone();
            return;
        }

        _shutdownWaiters = [Sender];
        _log.Info("Kamune shutting down: closing {Sessions} sessions", _sessions.Count);
        foreach (var session in _sessions.Keys)
        {
            session.Tell(CloseSession.Instance);
        }

        Timers.StartSingleTimer(ShutdownDeadline.Instance, ShutdownDeadline.Instance, shutdown.Timeout);
        CompleteShutdownIfDone();
    }

    private void CompleteShutdownIfDone()
    {
        if (_shutdownWaiters is null)
        {
            return;
        }

        if (_connections.Count == 0)
        {
            StopListeners();
        }

        if (_connections.Count == 0 && _listeners.Count == 0)
        {
            Timers.Cancel(ShutdownDeadline.Instance);
            foreach (var waiter in _shutdownWaiters)
            {
                waiter.Tell(NodeShutdownCompleted.Instance);
            }

            _shutdownWaiters.Clear();
        }
    }

    private void StopListeners()
    {
        if (_unbindingListeners)
        {
            return;
        }

        // Unbind and wait for it, not just stop the listener: Akka.IO answers Unbound once the socket is closed, so when
        // shutdown completes the port is free. A stopped listener only asks Akka.IO to unbind, and a dial or a new
        // listener right after ShutdownAsync could still meet the old socket. Its ListenerUnbound (or, if it dies
        // first, its Terminated) removes it from _listeners and answers whoever else asked it to unbind meanwhile.
        _unbindingListeners = true;
        foreach (var (address, listener) in _listeners.ToList())
        {
            RequestUnbind(listener, address, requester: null);
        }
    }

    private void OnShutdownDeadline()
    {
        _log.Warning("Kamune: {Count} connections still open at the shutdown deadline; stopping them", _connections.Count);
        foreach (var writer in _connections.Keys)
        {
            Context.Stop(writer);
        }

        if (_unbindingListeners)
        {
            // Asked to unbind before the deadline and not gone yet: stopped now (their PostStop unbinds once more).
            foreach (var listener in _listeners.Values)
            {
                Context.Stop(listener);
            }
        }

        StopListeners();
    }
}
