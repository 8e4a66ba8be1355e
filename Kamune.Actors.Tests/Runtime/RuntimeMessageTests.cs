using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Event;
using Akka.IO;
using Kamune.Actors.Runtime;
using Kamune.Tests.Support;

namespace Kamune.Tests.Runtime;

// Issue 18 item 10: every message the runtime's actors send one another is marked IRuntimeMessage: local only (never
// serialized), kept out of the dead-letter log, and printed without its payload.
//
// The rule, read from the runtime's own source (Kamune.Actors/Runtime/*.cs): a runtime message is a type declared in
// Kamune.Actors.Runtime (nested types too) whose name an actor or stage there receives (Receive<T>, or a `case T`
// / `or T` of a case label), tells (Tell(new T(..)), Tell(T.Instance)) or schedules (a timer's T.Instance / new T(..)).
// Public API messages (SendMessage, SessionClosed, ...) and Akka's (Terminated, Tcp.*) are not runtime types.
public sealed partial class RuntimeMessageTests : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public void Every_message_sent_between_runtime_actors_is_marked_as_internal_to_the_runtime()
    {
        var messages = RuntimeMessageTypes();

        // The scan finds what it must, so it cannot pass by finding nothing.
        Assert.Superset(
            new HashSet<string> { "PeerEstablished", "EvictHandshake", "AcceptConnection", "ConnectionNotOpened", "AttachPeer", "FrameReceived", "SealMessages", "VerificationCompleted", "FlushSealsMarker", "ListenerSocketBound" },
            messages.Select(type => type.Name).ToHashSet());
        var unmarked = messages.Where(type => !typeof(IRuntimeMessage).IsAssignableFrom(type)).Select(type => type.FullName).ToList();
        Assert.True(unmarked.Count == 0, $"expected every runtime message to be an IRuntimeMessage, got unmarked: {string.Join(", ", unmarked)}");
        Assert.True(typeof(IDeadLetterSuppression).IsAssignableFrom(typeof(IRuntimeMessage)));
        Assert.True(typeof(INoSerializationVerificationNeeded).IsAssignableFrom(typeof(IRuntimeMessage)));
    }

    [Fact]
    public void A_runtime_message_that_carries_bytes_prints_itself_without_them()
    {
        var printingBytes = RuntimeMessageTypes()
            .Where(type => type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Any(p => CarriesBytes(p.PropertyType, [])))
            .Where(type => type.GetMethod(nameof(ToString), Type.EmptyTypes) is not { } print
                || print.DeclaringType != type
                || print.IsDefined(typeof(CompilerGeneratedAttribute)))
            .Select(type => type.FullName)
            .ToList();

        Assert.True(printingBytes.Count == 0, $"expected an own ToString (lengths, never bytes) on: {string.Join(", ", printingBytes)}");
    }

    [Fact]
    public void PeerEstablished_told_to_a_stopped_manager_is_a_suppressed_dead_letter_not_a_logged_one()
    {
        var manager = Sys.ActorOf(Props.Empty, "manager-stand-in");
        Watch(manager);
        Sys.Stop(manager);
        ExpectTerminated(manager);
        Sys.EventStream.Subscribe(TestActor, typeof(AllDeadLetters));

        manager.Tell(PeerEstablished.Instance);
        manager.Tell(new EvictHandshake("every handshake slot taken"));

        Assert.IsType<SuppressedDeadLetter>(ExpectMsg<AllDeadLetters>());
        Assert.IsType<SuppressedDeadLetter>(ExpectMsg<AllDeadLetters>());
    }

    private static List<Type> RuntimeMessageTypes()
    {
        var runtime = typeof(PeerActor).Assembly.GetTypes()
            .Where(type => type.Namespace == typeof(PeerActor).Namespace && !type.IsDefined(typeof(CompilerGeneratedAttribute)))
            .ToLookup(type => type.Name);
        var named = new HashSet<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(DocQuotes.RepositoryRoot(), "Kamune.Actors", "Runtime"), "*.cs"))
        {
            var source = File.ReadAllText(file);
            named.UnionWith(Used().Matches(source).Select(match => match.Groups["name"].Value));
            foreach (Match label in CaseLabel().Matches(source))
            {
                named.UnionWith(CaseName().Matches(label.Value).Select(match => match.Groups["name"].Value));
            }
        }

        return named.SelectMany(name => runtime[name]).Distinct().OrderBy(type => type.FullName).ToList();
    }

    // Bytes in the clear or sealed: a payload, a frame, key material, or a collection or Kamune type that holds them.
    private static bool CarriesBytes(Type type, HashSet<Type> seen)
    {
        if (type == typeof(ByteString) || type == typeof(byte[]) || type == typeof(ReadOnlyMemory<byte>) || type == typeof(Memory<byte>))
        {
            return true;
        }

        if (!seen.Add(type) || type.IsPrimitive || type.IsEnum || type == typeof(string) || typeof(IActorRef).IsAssignableFrom(type))
        {
            return false;
        }

        if (type.IsGenericType && type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>)) is { } items)
        {
            var item = items.GetGenericArguments()[0];
            return item == typeof(object) || CarriesBytes(item, seen);
        }

        return type.Namespace?.StartsWith("Kamune", StringComparison.Ordinal) == true
            && type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Any(p => CarriesBytes(p.PropertyType, seen));
    }

    // Receive<T>, Tell(new T(..)), Tell(T.Instance), and a timer's message (StartSingleTimer(key, T.Instance, ..)).
    [GeneratedRegex(@"Receive<(?<name>\w+)>|Tell\(\s*(?:new\s+(?<name>\w+)|(?<name>\w+)\.Instance)|Start(?:Single|Periodic)Timer\([^,]+,\s*(?:new\s+(?<name>\w+)|(?<name>\w+)\.Instance)")]
    private static partial Regex Used();

    // A case label up to its colon: `case A x when ..:`, `case A or B:`, `case A { P: B b }:`.
    [GeneratedRegex(@"\bcase\s+[^:\r\n]*")]
    private static partial Regex CaseLabel();

    // The type right after `case` or `or` in a label (a property pattern's types are not messages).
    [GeneratedRegex(@"(?:\bcase|\bor)\s+(?<name>[A-Z]\w*)")]
    private static partial Regex CaseName();
}
