using Akka.Actor;
using Kamune.Protocol.Session;

namespace Kamune.Actors.Runtime;

/// <summary>
/// Owns the receive sequence of one session (protocol.md step 5): answers <see cref="SequencesAccepted"/> for
/// exactly last + 1 and <see cref="OutOfSync"/> otherwise, replying to whoever the check is for (the CipherActor
/// sends it on the session's behalf). After the first rejection it accepts nothing more, so a
/// late message can never slip through while the session is being torn down.
/// </summary>
internal sealed class ReplayGuardActor : ReceiveActor
{
    private readonly ReceiveSequence _sequence = new();

    public ReplayGuardActor()
    {
        Receive<CheckSequences>(check =>
        {
            var accepted = new List<InboundMessage>(check.Messages.Count);
            foreach (var message in check.Messages)
            {
                if (!_sequence.TryAccept(message.Sequence))
                {
                    // The verdicts keep frame order: the accepted ones first, then the rejection.
                    TellAccepted(accepted);
                    Reject(message.Sequence);
                    return;
                }

                accepted.Add(message);
            }

            TellAccepted(accepted);
            if (check.Failure is { } failure)
            {
                Sender.Tell(failure);
            }
        });
    }

    private void TellAccepted(List<InboundMessage> accepted)
    {
        if (accepted.Count > 0)
        {
            Sender.Tell(new SequencesAccepted(accepted));
        }
    }

    private void Reject(ulong got)
    {
        var expected = _sequence.Expected;
        Sender.Tell(new OutOfSync(expected, got));
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
        });
    }

    public static Props Props() => ActorFactory.Props(() => new ReplayGuardActor());
}
