using System.Net;
using Akka.Actor;

namespace Kamune.Actors.Runtime;

// The manager's listeners: binding, unbinding, and the answers to both (issue 18.5: every request is answered).
internal sealed partial class KamuneManager
{
    private void StartListener(BindListener listen)
    {
        if (_shutdownWaiters is not null)
        {
            Sender.Tell(new BindListenerFailed(listen.Host, listen.Port, "the node is shutting down"));
            return;
        }

        var listener = Context.ActorOf(
            Listener.Props(listen, _settings, _firstFrames?.FromInitiator, _clock), $"listener-{++_next}");
        Context.Watch(listener);
        _pendingListens[listener] = (listen, Sender);
    }

    private void OnListenerSocketBound(ListenerSocketBound bound)
    {
        _listeners[bound.LocalAddress] = Sender;
        if (_pendingListens.Remove(Sender, out var pending))
        {
            pending.Requester.Tell(new ListenerBound(bound.LocalAddress));
        }

        // As Akka.Remote publishes its RemotingListenEvent: whoever tracks the node's listeners (IKamuneNode.Listeners)
        // hears of every bind and every unbind, whoever asked for it.
        Context.System.EventStream.Publish(new ListenerBound(bound.LocalAddress));
        if (_unbindingListeners)
        {
            // Bound while the node was already unbinding its listeners: this one goes too.
            RequestUnbind(Sender, bound.LocalAddress, requester: null);
        }
    }

    // The manager, not the listener, answers an unbind: a listener that is already unbinding (another request, its
    // handler stopped, the node's shutdown) or that dies on the way would otherwise leave the asker unanswered.
    private void OnUnbindListener(UnbindListener unbind)
    {
        if (_listeners.TryGetValue(unbind.LocalAddress, out var listener))
        {
            RequestUnbind(listener, unbind.LocalAddress, Sender);
        }
        else
        {
            // Nothing is bound there (any more): the outcome the caller wants already holds.
            Sender.Tell(new ListenerUnbound(unbind.LocalAddress));
        }
    }

    // One UnbindListener per listener, however many ask; the listener answers its parent once it has unbound.
    private void RequestUnbind(IActorRef listener, EndPoint address, IActorRef? requester)
    {
        if (!_unbindRequests.TryGetValue(listener, out var pending))
        {
            pending = (address, []);
            _unbindRequests[listener] = pending;
            listener.Tell(new UnbindListener(address));
        }

        if (requester is not null && !requester.IsNobody())
        {
            pending.Requesters.Add(requester);
        }
    }

    // From a listener once Akka.IO has closed its socket: asked to (RequestUnbind) or on its own (its handler stopped).
    private void OnListenerUnbound(ListenerUnbound unbound)
    {
        if (_listeners.TryGetValue(unbound.LocalAddress, out var listener) && listener.Equals(Sender))
        {
            ListenerGone(listener, unbound.LocalAddress);
        }
        else
        {
            // A newer listener took its address meanwhile (bound there before this one's answer came): only its askers.
            AnswerUnbinds(Sender);
        }
    }

    // A listener that stopped: one that never bound answers its BindListener, a bound one is gone as if it had unbound.
    private void ForgetListener(IActorRef actor)
    {
        if (_pendingListens.Remove(actor, out var listen))
        {
            listen.Requester.Tell(new BindListenerFailed(listen.Request.Host, listen.Request.Port, "the listener stopped before it bound"));
        }

        foreach (var (address, listener) in _listeners)
        {
            if (listener.Equals(actor))
            {
                ListenerGone(listener, address);
                return;
            }
        }

        AnswerUnbinds(actor);
    }

    private void ListenerGone(IActorRef listener, EndPoint address)
    {
        _listeners.Remove(address);
        Context.System.EventStream.Publish(new ListenerUnbound(address));
        AnswerUnbinds(listener);
        CompleteShutdownIfDone();
    }

    private void AnswerUnbinds(IActorRef listener)
    {
        if (_unbindRequests.Remove(listener, out var pending))
        {
            foreach (var requester in pending.Requesters)
            {
                requester.Tell(new ListenerUnbound(pending.Address));
            }
        }
    }
}
