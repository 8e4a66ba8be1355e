using Akka.Actor;
using Akka.Event;

namespace Kamune.Actors.Runtime;

/// <summary>
/// A message the runtime's actors and stream stages send one another (a session and its connection, cipher and replay
/// guard; the manager, its listeners and writers; an actor's own timers and piped results): never one of the
/// embedding API's. It never leaves the process, so it is never serialized, not even under
/// <c>akka.actor.serialize-messages</c> (many carry actor references, exceptions, streams or frame payloads). When one
/// end has stopped, the other's last messages reach a dead actor as a matter of course: a graceful close ends with the
/// session stopped right after its CLOSE_TRANSPORT, before the writer's FrameWritten arrives (issue 17 item 7); a
/// session's PeerEstablished can reach a manager already shut down. Such a dead letter says nothing its sender does
/// not learn otherwise, so it is kept out of the dead-letter log, which would also print it (issue 18 item 10). Its
/// ToString prints lengths, never a payload or key material (RuntimeMessageTests holds every one to both rules).
/// </summary>
internal interface IRuntimeMessage : IDeadLetterSuppression, INoSerializationVerificationNeeded;
