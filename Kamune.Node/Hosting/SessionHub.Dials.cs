using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Kamune.Node.Cli;
using Kamune.Node.Json;

namespace Kamune.Node.Hosting;

// Dialing: resolve, ask the runtime, and answer each HubDial once its session is established or has failed. The
// bookkeeping rules are DialBook's.
internal sealed partial class SessionHub
{
    private void StartDial(PeerAddress address, IActorRef requester)
    {
        // Resolved here rather than in the runtime, to prefer IPv4 when a name has both (loopback names often do).
        var pending = _dials.Start(address, requester);
        Resolve(address).PipeTo(Self, success: ip => new Resolved(pending.Id, ip, null),
            failure: e => new Resolved(pending.Id, null, e is SocketException s ? s.Message : e.Message));
    }

    private static async Task<IPAddress> Resolve(PeerAddress address)
    {
        if (IPAddress.TryParse(address.Host, out var literal))
        {
            return literal;
        }

        var addresses = await Dns.GetHostAddressesAsync(address.Host).ConfigureAwait(false);
        return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? addresses.FirstOrDefault()
            ?? throw new SocketException((int)SocketError.HostNotFound);
    }

    private void OnResolved(Resolved resolved)
    {
        if (resolved.Ip is null)
        {
            if (_dials.TryFail(resolved.Id, out var unresolved))
            {
                Fail(unresolved, $"cannot resolve {unresolved.Address.Host}: {resolved.Error}");
            }

            return;
        }

        if (!_dials.TryGet(resolved.Id, out var pending))
        {
            return;
        }

        // Asked, not told: the answer (DialConnected or DialFailed) comes back tagged with this request, so two dials to one
        // endpoint can never swap their sessions.
        var id = resolved.Id;
        var host = resolved.Ip.ToString();
        var port = pending.Address.Port;
        // The dial's own verifier checks the session it opens and no other: an address pin that fails closed.
        var verifier = _onDial?.Invoke(pending.Address);
        _manager.Ask<object>(new DialPeer(host, port, Self, verifier), _dialAnswerTimeout).PipeTo(Self,
            success: answer => new DialAnswered(id, answer),
            failure: e => new DialAnswered(id, new DialFailed(host, port,
                e is AskTimeoutException ? $"no answer from the runtime within {_dialAnswerTimeout.TotalSeconds:0} s" : e.Message)));
    }

    private void OnDialAnswered(DialAnswered answered)
    {
        switch (answered.Answer)
        {
            case DialConnected dialing when _dials.Connected(answered.Id, dialing.Session, out var early):
                // Watched: a session that stops before it is established still answers its dial.
                Context.Watch(dialing.Session);
                if (early is not null)
                {
                    OnEstablished(early);
                }

                break;
            case DialFailed failed when _dials.TryFail(answered.Id, out var pending):
                Fail(pending, $"cannot connect to {pending.Address}: {failed.Reason}");
                break;
        }

        CloseOrphans();
    }

    private void OnTerminated(Terminated terminated)
    {
        if (_dials.TryClaim(terminated.ActorRef, out var pending))
        {
            Fail(pending, $"session with {pending.Address} ended before it was established");
        }
    }

    private void Fail(DialBook<IActorRef, IActorRef, SessionEstablished>.Pending pending, string message)
    {
        Emit(new NodeEvent.Error(message, Address: pending.Address.ToString()));
        pending.Requester.Tell(new DialOutcome(pending.Address, null, message));
        ReplyIfAllClosed();
    }

    // Sessions established before their DialConnected arrived, once no dial can claim them any more.
    private void CloseOrphans()
    {
        foreach (var (session, _) in _dials.Orphans())
        {
            _log.Warning("Closing a dialed session no dial of this node is waiting for");
            session.Tell(CloseSession.Instance);
        }
    }

    private sealed record Resolved(long Id, IPAddress? Ip, string? Error);

    private sealed record DialAnswered(long Id, object Answer);
}
