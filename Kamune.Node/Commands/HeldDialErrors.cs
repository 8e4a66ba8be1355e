using Kamune.Node.Hosting;
using Kamune.Node.Json;

namespace Kamune.Node.Commands;

/// <summary>
/// The chat console of a node that only dials, while its start-up dials are under way: their errors wait here. If
/// none of the dials came up, the node ends with them as its one error line on stderr, and the console does not say
/// them first (on a terminal both would show, the same failure twice); if one came up, the console shows them after
/// all, in order. Every other event goes straight through.
/// </summary>
internal sealed class HeldDialErrors(INodeOutput output) : INodeOutput
{
    private readonly object _gate = new();
    private readonly List<NodeEvent.Error> _held = new();
    private bool _holding = true;

    public void Emit(NodeEvent nodeEvent)
    {
        lock (_gate)
        {
            if (_holding && nodeEvent is NodeEvent.Error { Address: not null } error)
            {
                _held.Add(error);
                return;
            }
        }

        output.Emit(nodeEvent);
    }

    /// <summary>Ends the holding and shows what was held.</summary>
    public void Release()
    {
        foreach (var error in Stop())
        {
            output.Emit(error);
        }
    }

    /// <summary>Ends the holding; what was held is the caller's to report.</summary>
    public IReadOnlyList<NodeEvent.Error> Stop()
    {
        lock (_gate)
        {
            _holding = false;
            var held = _held.ToArray();
            _held.Clear();
            return held;
        }
    }
}
