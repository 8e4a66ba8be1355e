using System.Collections.Immutable;
using System.Reflection;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.Stage;

namespace Kamune.Tests.Runtime;

/// <summary>
/// A canary for an Akka.NET bug the runtime works around. In Akka.NET 1.5.74 <c>FunctionRef.RemoveWatcher</c> has
/// the condition of <c>AddWatcher</c>: it skips the removal exactly when the watcher is in the set, so an actor
/// that watches and then unwatches a FunctionRef (a stream stage actor) stays in its watcher set for the
/// FunctionRef's life. Akka.Streams' <c>Tcp().Bind</c> makes its stage actor the bind handler, and Akka.IO's incoming
/// connections watch and unwatch it, so every accepted connection stayed reachable until the listener unbound
/// (docs/reliability.md, finding 3). <c>Listener</c> therefore binds through Akka.IO with itself as the bind handler.
/// This test asserts today's broken behaviour; when an Akka.NET upgrade fixes it, the test fails and says so.
/// </summary>
public sealed class FunctionRefWatcherCanaryTests : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public async Task Akka_1_5_74_keeps_an_unwatched_watcher_in_a_FunctionRef_so_the_listener_workaround_is_still_needed()
    {
        var stageActor = new TaskCompletionSource<IActorRef>();
        Source.Never<int>().RunWith(Sink.FromGraph(new StageActorSink(stageActor)), Sys.Materializer());
        var functionRef = await stageActor.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var watchers = functionRef.GetType().GetField("_watchedBy", BindingFlags.Instance | BindingFlags.NonPublic)
            ?? throw new Xunit.Sdk.XunitException(
                $"{functionRef.GetType().FullName} has no _watchedBy field any more: Akka.NET changed FunctionRef; check whether "
                + "RemoveWatcher now removes, and if so the listener retention workaround in Listener.cs can go");
        var watcher = CreateTestProbe();

        watcher.Watch(functionRef);
        Assert.Contains(watcher.Ref, (ImmutableHashSet<IActorRef>)watchers.GetValue(functionRef)!);
        watcher.Unwatch(functionRef);

        Assert.True(((ImmutableHashSet<IActorRef>)watchers.GetValue(functionRef)!).Contains(watcher.Ref),
            "Akka.NET's FunctionRef now removes a watcher on Unwatch (the RemoveWatcher bug of 1.5.74 is fixed): the listener "
            + "retention workaround in Listener.cs (binding through Akka.IO instead of Akka.Streams' Tcp().Bind) can go, "
            + "with ListenerRetentionTests kept to prove it; then delete this canary and update docs/reliability.md finding 3");
    }

    // A sink whose only job is to expose its stage actor (an Akka FunctionRef).
    private sealed class StageActorSink(TaskCompletionSource<IActorRef> stageActor) : GraphStage<SinkShape<int>>
    {
        private readonly Inlet<int> _in = new("canary.in");
        private readonly TaskCompletionSource<IActorRef> _stageActor = stageActor;

        public override SinkShape<int> Shape => new(_in);

        protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

        private sealed class Logic : InGraphStageLogic
        {
            private readonly StageActorSink _stage;

            public Logic(StageActorSink stage)
                : base(stage.Shape)
            {
                _stage = stage;
                SetHandler(stage._in, this);
            }

            public override void PreStart() => _stage._stageActor.SetResult(GetStageActor(_ => { }).Ref);

            public override void OnPush() => Pull(_stage._in);
        }
    }
}
