using Akka.Actor;
using Akka.Dispatch;
using Kamune.Protocol;
using Kamune.Protocol.Session;

namespace Kamune.Actors.Runtime;

/// <summary>
/// Verifies and decodes a run of decrypted session payloads (protocol.md layers 5 and 6) on the dispatcher, off the
/// CipherActor, then tells the ReplayGuardActor one <see cref="CheckSequences"/> under the run's ticket. Ed25519
/// verification is three quarters of a received message's CPU and needs only the peer's public key, so here one
/// session's verifications can use every core and go on while its cipher seals; the cipher keeps the secrets and the
/// decryption. Every buffer of the run is released here, whatever happens.
/// </summary>
/// <param name="ticket">The run's place in frame order; the guard judges runs by ticket, whatever order they finish in.</param>
/// <param name="payloads">The decrypted payloads of the run, in frame order; each is released here.</param>
/// <param name="signer">The peer's identity, whose signature every envelope must carry.</param>
/// <param name="trailing">The failure of the frame after this run (it did not decrypt), passed on after it.</param>
/// <param name="judge">The session's ReplayGuardActor, told the run's <see cref="CheckSequences"/> (or the crash).</param>
/// <param name="replyTo">The sender the guard sees, so it answers the session that asked for the frames to be opened.</param>
internal sealed class VerifyEnvelopes(
    long ticket, ArraySegment<DecryptedPayload> payloads, PublicIdentity signer, CipherFailed? trailing, IActorRef judge, IActorRef replyTo)
    : IRunnable
{
    public void Run()
    {
        var opened = new List<InboundMessage>(payloads.Count);
        CipherFailed? failure = null;
        Exception? crash = null;
        try
        {
            foreach (var payload in payloads)
            {
                opened.Add(payload.Read(signer));
            }
        }
        catch (KamuneProtocolException e)
        {
            // The frames after a failed one are never judged: the session ends on this failure.
            failure = new CipherFailed(e.Error, e.Message);
        }
        catch (Exception e)
        {
            // Not peer input: thrown on a pool thread it would end the process, so the guard fails with it instead.
            crash = e;
        }
        finally
        {
            foreach (var payload in payloads)
            {
                payload.Release();
            }
        }

        judge.Tell(crash is null ? new CheckSequences(ticket, opened, failure ?? trailing) : new VerifyCrashed(ticket, crash), replyTo);
    }

    public void Execute() => Run();
}
