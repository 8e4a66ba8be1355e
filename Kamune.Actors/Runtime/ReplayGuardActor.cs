using Akka.Actor;
using Kamune.Protocol.Session;

namespace Kamune.Actors.Runtime;

/// <summary>
/// Owns the receive sequence of one session (protocol.md step 5): answers <see cref="SequenceAccepted"/> for
/// exactly last + 1 and <see cref="OutOfSync"/> otherwise. After the first rejection it accepts nothing more, so a
/// late message can never slip through while the session is being torn down.
/// </summary>
internal sealed class ReplayGuardActor : ReceiveActor
{
    private readonly ReceiveSequence _sequence = new();

    public ReplayGuardActor()
    {
        Receive<CheckSequence>(check =>
        {
            var expected = _sequence.Expected;
            if (_sequence.TryAccept(check.Message.Sequence))
            {
                Sender.Tell(new SequenceAccepted(check.Message));
                return;
            }

            Sender.Tell(new OutOfSync(expected, check.Message.Sequence));
            Become(() => Receive<CheckSequence>(late => Sender.Tell(new OutOfSync(expected, late.Message.Sequence))));
        });
    }

    public static Props Props() => Akka.Actor.Props.Create(() => new ReplayGuardActor());
}
