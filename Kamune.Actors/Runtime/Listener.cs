using System.Net;
using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;
using Kamune.Actors.Configuration;
using Tcp = Akka.Streams.Dsl.Tcp;

namespace Kamune.Actors.Runtime;

/// <summary>
/// One bound TCP listener. Accepts connections one at a time (the accept stream is back-pressured by this
/// actor's acknowledgements), enforces the per-address connection limit, and hands each admitted connection
/// to the manager, which runs it as a responder session for the listener's handler.
/// </summary>
internal sealed class Listener : ReceiveActor
{
    private readonly Listen _request;
    private readonly IActorRef _requester;
    private readonly KamuneSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<IPAddress, int> _openPerAddress = new();
    private readonly Dictionary<IActorRef, IPAddress> _connections = new();
    private Tcp.ServerBinding? _binding;
    private IMaterializer _materializer = null!;

    public Listener(Listen request, IActorRef requester, KamuneSettings settings)
    {
        _request = request;
        _requester = requester;
        _settings = settings;
        Binding();
    }

    public static Props Props(Listen request, IActorRef requester, KamuneSettings settings) =>
        Akka.Actor.Props.Create(() => new Listener(request, requester, settings));

    protected override void PreStart()
    {
        // One materializer per actor, made once: ActorSystem.Materializer() builds a new materializer on every call
        // and blocks a thread-pool thread until its supervisor starts, which starves the pool under a burst.
        _materializer = Context.Materializer();
        Context.System.TcpStream()
            .Bind(_request.Host, _request.Port, backlog: _settings.ListenBacklog, halfClose: false)
            .ToMaterialized(
                Sink.ActorRefWithAck<Tcp.IncomingConnection>(Self, AcceptStarted.Instance, AcceptAck.Instance,
                    AcceptEnded.Instance, ex => new AcceptFailed(ex)),
                Keep.Left)
            .Run(_materializer)
            .PipeTo(Self, success: binding => new Bound(binding), failure: ex => new BindFailed(ex));
    }

    protected override void PostStop()
    {
        // Stopping the listener (Unbind, failure, node shutdown) frees the port. Akka.IO ends the sockets it accepted
        // with it; their writers then see the stream end and their sessions report the lost connection.
        _binding?.Unbind();
    }

    private void Binding()
    {
        Receive<Bound>(bound =>
        {
            _binding = bound.Binding;
            var local = bound.Binding.LocalAddress;
            _log.Info("Kamune listening on {LocalAddress}", local);
            Context.Parent.Tell(new ListenerBound(local));
            _requester.Tell(new Listening(local));
            Become(Accepting);
        });
        Receive<BindFailed>(failed =>
        {
            _log.Warning("Kamune could not listen on {Host}:{Port}: {Reason}", _request.Host, _request.Port, failed.Cause.Message);
            _requester.Tell(new ListenFailed(_request.Host, _request.Port, failed.Cause.Message));
            Context.Stop(Self);
        });
        Receive<AcceptStarted>(_ => Sender.Tell(AcceptAck.Instance));
        // The accept stream fails alongside the bind; BindFailed reports it.
        Receive<AcceptFailed>(_ => { });
    }

    private void Accepting()
    {
        Receive<AcceptStarted>(_ => Sender.Tell(AcceptAck.Instance));
        Receive<Tcp.IncomingConnection>(connection =>
        {
            Admit(connection);
            Sender.Tell(AcceptAck.Instance);
        });
        Receive<ConnectionStarted>(started =>
        {
            Context.Watch(started.Connection);
            _connections[started.Connection] = AddressOf(started.RemoteAddress);
        });
        Receive<ConnectionRefused>(refused => Release(AddressOf(refused.RemoteAddress)));
        Receive<Terminated>(terminated =>
        {
            if (_connections.Remove(terminated.ActorRef, out var address))
            {
                Release(address);
            }
        });
        Receive<Unbind>(unbind =>
        {
            var replyTo = Sender;
            var binding = _binding!.Value;
            binding.Unbind().PipeTo(Self, success: () => UnbindDone.Instance, failure: _ => UnbindDone.Instance);
            Become(() => Unbinding(unbind.LocalAddress, replyTo));
        });
        Receive<AcceptEnded>(_ => Context.Stop(Self));
        Receive<AcceptFailed>(failed =>
        {
            _log.Warning("Kamune listener on {LocalAddress} failed: {Reason}", _binding?.LocalAddress, failed.Cause.Message);
            Context.Stop(Self);
        });
    }

    // Unbinding ends the accept stream too; whichever of the two arrives first, the caller hears Unbound once.
    private void Unbinding(EndPoint localAddress, IActorRef replyTo)
    {
        Receive<Tcp.IncomingConnection>(connection =>
        {
            Reject(connection, "the listener is unbinding");
            Sender.Tell(AcceptAck.Instance);
        });
        ReceiveAny(message =>
        {
            if (message is UnbindDone or AcceptEnded or AcceptFailed)
            {
                _log.Info("Kamune stopped listening on {LocalAddress}", localAddress);
                _binding = null;
                replyTo.Tell(new Unbound(localAddress));
                Context.Stop(Self);
            }
        });
    }

    private void Admit(Tcp.IncomingConnection connection)
    {
        var address = AddressOf(connection.RemoteAddress);
        var open = _openPerAddress.GetValueOrDefault(address);
        var limit = _settings.MaxConnectionsPerAddress;
        if (limit > 0 && open >= limit)
        {
            Reject(connection, $"expected at most {limit} connections from its address, got {open} open");
            return;
        }

        // Counted from accept, not from ConnectionStarted, so a burst cannot slip past the limit.
        _openPerAddress[address] = open + 1;
        Context.Parent.Tell(new AcceptConnection(
            new ConnectionTarget.Accepted(connection.Flow, connection.LocalAddress, connection.RemoteAddress), _request.Handler));
    }

    private void Reject(Tcp.IncomingConnection connection, string reason)
    {
        _log.Warning("Refusing connection from {RemoteAddress}: {Reason}", connection.RemoteAddress, reason);
        CloseAtOnce(connection.Flow, _materializer);
    }

    /// <summary>Runs an accepted connection with an empty outbound and a cancelled inbound: the socket is closed at once, nothing stays behind.</summary>
    internal static void CloseAtOnce(Flow<ByteString, ByteString, NotUsed> connection, IMaterializer materializer) =>
        connection.Join(Flow.FromSinkAndSource(Sink.Cancelled<ByteString>(), Source.Empty<ByteString>())).Run(materializer);

    private void Release(IPAddress address)
    {
        var open = _openPerAddress.GetValueOrDefault(address) - 1;
        if (open > 0)
        {
            _openPerAddress[address] = open;
        }
        else
        {
            _openPerAddress.Remove(address);
        }
    }

    private static IPAddress AddressOf(EndPoint endPoint) => endPoint switch
    {
        IPEndPoint ip => ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address,
        _ => IPAddress.None,
    };

    private sealed record Bound(Tcp.ServerBinding Binding);

    private sealed record BindFailed(Exception Cause);

    private sealed record AcceptFailed(Exception Cause);

    private sealed class UnbindDone
    {
        public static readonly UnbindDone Instance = new();

        private UnbindDone()
        {
        }
    }

    private sealed class AcceptStarted
    {
        public static readonly AcceptStarted Instance = new();

        private AcceptStarted()
        {
        }
    }

    private sealed class AcceptAck
    {
        public static readonly AcceptAck Instance = new();

        private AcceptAck()
        {
        }
    }

    private sealed class AcceptEnded
    {
        public static readonly AcceptEnded Instance = new();

        private AcceptEnded()
        {
        }
    }
}
