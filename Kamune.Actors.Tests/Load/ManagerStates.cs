using Akka.Actor;
using Kamune.Actors.Runtime;

namespace Kamune.Tests.Load;

/// <summary>Waits for a node's manager to report a given state: how the load tests see that nothing leaked.</summary>
internal static class ManagerStates
{
    public static async Task<ManagerState> AwaitAsync(KamuneExtension node, Func<ManagerState, bool> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        var state = await node.Manager.Ask<ManagerState>(GetManagerState.Instance, within);
        while (!condition(state) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            state = await node.Manager.Ask<ManagerState>(GetManagerState.Instance, within);
        }

        Assert.True(condition(state), $"manager state never reached the condition within {within}; last {state}");
        return state;
    }

    /// <summary>Only the listeners are left: no connection, session or handshake.</summary>
    public static bool Idle(ManagerState state, int listeners) =>
        state.Listeners == listeners && state.Connections == 0 && state.Sessions == 0 && state.Handshaking == 0;
}
