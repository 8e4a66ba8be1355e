using Akka.Actor;
using Akka.Event;

namespace Kamune.Actors.Runtime;

/// <summary>
/// The node's front door (KamuneExtension.Manager): forwards every request to the <see cref="KamuneManager"/> it
/// supervises, so that the manager has a supervision decision of Kamune's own instead of the system guardian's
/// default restart, which would stop every listener, socket and session of the node. The manager's receive is
/// total, so what reaches this decision is a bug: the manager resumes with its state and children, the failure
/// costs the one message, and it is logged as an error. A manager that cannot start is stopped, and with it the
/// node's front door, so requests fail visibly instead of waiting.
/// </summary>
internal sealed class KamuneGuardian : UntypedActor
{
    private readonly Props _managerProps;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private IActorRef _manager = ActorRefs.Nobody;

    public KamuneGuardian(Props managerProps) => _managerProps = managerProps;

    public static Props Props(Props managerProps) => ActorFactory.Props(() => new KamuneGuardian(managerProps));

    protected override void PreStart()
    {
        _manager = Context.ActorOf(_managerProps, "manager");
        Context.Watch(_manager);
    }

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(Decide);

    protected override void OnReceive(object message)
    {
        if (message is Terminated terminated && terminated.ActorRef.Equals(_manager))
        {
            Context.Stop(Self);
            return;
        }

        _manager.Forward(message);
    }

    /// <summary>The decision for a failure of the manager: resume, except when it cannot even start.</summary>
    internal Directive Decide(Exception cause)
    {
        if (cause is ActorInitializationException)
        {
            _log.Error(cause, "Kamune manager could not start; the node stops");
            return Directive.Stop;
        }

        _log.Error(cause, "Kamune manager failed on a message ({ErrorType}); it resumes with every listener and session", cause.GetType().Name);
        return Directive.Resume;
    }
}
