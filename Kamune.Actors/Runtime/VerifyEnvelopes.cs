using Akka.Actor;
using Akka.Dispatch;
using Kamune.Identity;
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
internal sealed class VerifyEnvelopes : IRunnable
{
    private readonly long _ticket;
    private readonly ArraySegment<DecryptedPayload> _payloads;
    private readonly PublicIdentity _signer;
    private readonly CipherFailed? _trailing;
    private readonly IActorRef _judge;
    private readonly IActorRef _replyTo;

    /// <param name="trailing">The failure of the frame after this run (it did not decrypt), passed on after it.</param>
    public VerifyEnvelopes(long ticket, ArraySegment<DecryptedPayload> payloads, PublicIdentity signer, CipherFailed? trailing, IActorRef judge, IActorRef replyTo)
    {
        _ticket = ticket;
        _payloads = payloads;
        _signer = signer;
        _trailing = trailing;
        _judge = judge;
        _replyTo = replyTo;
    }

    public void Run()
    {
        var opened = new List<InboundMessage>(_payloads.Count);
        CipherFailed? failure = null;
        Exception? crash = null;
        try
        {
            foreach (var payload in _payloads)
            {
                opened.Add(payload.Read(_signer));
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
            foreach (var payload in _payloads)
            {
                payload.Release();
            }
        }

        _judge.Tell(crash is null ? new CheckSequences(_ticket, opened, failure ?? _trailing) : new VerifyCrashed(_ticket, crash), _replyTo);
    }

    public void Execute() => Run();
}
