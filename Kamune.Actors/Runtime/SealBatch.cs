namespace Kamune.Actors.Runtime;

/// <summary>
/// Gathers the seals of one burst into one message to the CipherActor, with no actor in it (PeerActor applies it).
/// The first seal of a burst asks for a flush marker to be sent to self; the sends already in the mailbox join the
/// batch before the marker arrives, and then the whole batch goes to the cipher as one <see cref="SealMessages"/>:
/// one wake-up of the cipher, and of the session for the answers, per burst instead of per send.
/// </summary>
internal sealed class SealBatch
{
    private List<SealMessage> _batch = new();
    private bool _markerPending;

    /// <summary>Adds a seal; true when the caller must send itself the flush marker (none is on its way yet).</summary>
    public bool Add(SealMessage seal)
    {
        _batch.Add(seal);
        if (_markerPending)
        {
            return false;
        }

        _markerPending = true;
        return true;
    }

    /// <summary>Adds a seal the caller flushes at once (a reply or a goodbye): no marker is asked for.</summary>
    public void Append(SealMessage seal) => _batch.Add(seal);

    /// <summary>The marker arrived: what to tell the cipher now (null when nothing waits).</summary>
    public object? OnMarker()
    {
        _markerPending = false;
        return Flush();
    }

    /// <summary>
    /// What to tell the cipher now, so the seals so far go before whatever the caller seals next (sequence numbers
    /// follow the order seals reach the cipher): null, one <see cref="SealMessage"/> or one <see cref="SealMessages"/>.
    /// </summary>
    public object? Flush()
    {
        switch (_batch.Count)
        {
            case 0:
                return null;
            case 1:
                var single = _batch[0];
                _batch.Clear();
                return single;
            default:
                var batch = new SealMessages(_batch);
                _batch = new List<SealMessage>();
                return batch;
        }
    }
}
