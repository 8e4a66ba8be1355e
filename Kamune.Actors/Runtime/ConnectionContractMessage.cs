using Akka.Actor;
using Akka.Event;

namespace Kamune.Actors.Runtime;

/// <summary>
/// A message of the contract between a session and its connection (ConnectionMessages.cs), or between a writer and
/// its own stream: it never leaves the process, so it is never serialized, not even under
/// <c>akka.actor.serialize-messages</c> (it carries actor references, exceptions and frame payloads). When one end
/// has stopped, the other's last messages reach a dead actor as a matter of course: a graceful close ends with the
/// session stopped right after its CLOSE_TRANSPORT, before the writer's FrameWritten arrives (issue 17 item 7). Such a
/// dead letter says nothing the session does not learn otherwise, so it is suppressed from the dead-letter log, which
/// would also print the frame's ciphertext (issue 18 item 10).
/// </summary>
internal interface IConnectionContractMessage : IDeadLetterSuppression, INoSerializationVerificationNeeded;
