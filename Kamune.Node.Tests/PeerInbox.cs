using Akka.Actor;

namespace Kamune.Node.Tests;

/// <summary>An in-process peer's session events, read from its Akka inbox.</summary>
internal static class PeerInbox
{
    /// <summary>Skips other events until one of type <typeparamref name="T"/> arrives; fails after 20 s.</summary>
    public static async Task<T> ReceiveAsync<T>(this Inbox events)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (await events.ReceiveAsync(deadline - DateTime.UtcNow) is T wanted)
            {
                return wanted;
            }
        }

        throw new TimeoutException($"the peer heard no {typeof(T).Name}");
    }
}
