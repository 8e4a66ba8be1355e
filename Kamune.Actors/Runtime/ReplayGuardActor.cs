using Akka.Actor;
using Kamune.Protocol.Session;

namespace Kamune.Actors.Runtime;

/// <summary>
/// Owns the receive sequence of one session (protocol.md step 5): answers <see cref="SequencesAccepted"/> for
/// exactly last + 1 and <see cref="OutOfSync"/> otherwise, replying to whoever the check is for (the CipherActor
/// sends it on the session's behalf). Checks are judged in ticket order: the parts of a burst whose signatures were
/// verified in parallel arrive in any order, and one that arrives early waits for those before it. After the first
/// rejection it accepts nothing more, so a late message can never slip through while the session is being torn down;
/// after a failed open it judges nothing more.
/// </summary>
internal sealed class ReplayGuardActor : ReceiveActor
{
    private readonly ReceiveSequence _sequence = new();
    private readonly Dictionary<long, (object Verdict, IActorRef ReplyTo)> _early = new();
    private long _nextTicket;

    public ReplayGuardActor()
    {
        Receive<CheckSequences>(check => Arrive(check.Ticket, check));
        Receive<VerifyCrashed>(crashed => Arrive(crashed.Ticket, crashed));
    }

    public static Props Props() => ActorFactory.Props(() => new ReplayGuardActor());

    private void Arrive(long ticket, object verdict)
    {
        if (ticket != _nextTicket)
        {
            _early.Add(ticket, (verdict, Sender));
            return;
        }

        var replyTo = Sender;
        while (true)
        {
            _nextTicket++;
            if (!Judge(verdict, replyTo) || !_early.Remove(_nextTicket, out var next))
            {
                return;
            }

            (verdict, replyTo) = next;
        }
    }

    // False once the session can go no further (a rejection or a failure): nothing after it is judged.
    private bool Judge(object verdict, IActorRef replyTo)
    {
        if (verdict is VerifyCrashed crashed)
        {
            throw new InvalidOperationException("Replay guard: verifying a received envelope crashed (a bug, not peer input).", crashed.Error);
        }

        var check = (CheckSequences)verdict;
        var accepted = new List<InboundMessage>(check.Messages.Count);
        foreach (var message in check.Messages)
        {
            if (!_sequence.TryAccept(message.Sequence))
            {
                // The verdicts keep frame order: the accepted ones first, then the rejection.
                TellAccepted(accepted, replyTo);
                Reject(message.Sequence, replyTo);
                return false;
            }

            accepted.Add(message);
        }

        TellAccepted(accepted, replyTo);
        if (check.Failure is { } failure)
        {
            replyTo.Tell(failure);
            _early.Clear();
            Become(Ended);
            return false;
        }

        return true;
    }

    private static void TellAccepted(List<InboundMessage> accepted, IActorRef replyTo)
    {
        if (accepted.Count > 0)
        {
            replyTo.Tell(new SequencesAccepted(accepted));
        }
    }

    private void Reject(ulong got, IActorRef replyTo)
    {
        var expected = _sequence.Expected;
        replyTo.Tell(new OutOfSync(expected, got));
        _early.Clear();
        Become(() =>
        {
            Receive<CheckSequences>(late =>
            {
                if (late.Messages.Count > 0)
                {
                    Sender.Tell(new OutOfSync(expected, late.Messages[0].Sequence));
                }
                else if (late.Failure is { } failure)
                {
                    Sender.Tell(failure);
                }
            });
            Receive<VerifyCrashed>(_ => { });
        });
    }

    // The session is ending on a failed open: later parts are dropped unjudged (their buffers are already released).
    private void Ended()
    {
        Receive<CheckSequences>(_ => { });
        Receive<VerifyCrashed>(_ => { });
    }
}
