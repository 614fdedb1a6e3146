namespace Sec0.Approvals;

/// <summary>Why an approval token did not let a call run.</summary>
public enum TokenRefusal
{
    /// <summary>Accepted: the call runs, and the token is spent.</summary>
    None,

    /// <summary>Not a token this gateway or app made (forged, cut, or made with another secret).</summary>
    Invalid,

    /// <summary>Its escalation does not exist (any more).</summary>
    UnknownEscalation,

    /// <summary>Its escalation is not approved (pending, rejected, expired).</summary>
    NotApproved,

    /// <summary>It was used already: a token runs one call.</summary>
    AlreadyUsed,

    /// <summary>It was approved for another call: another tenant, tool, node or other arguments.</summary>
    OtherCall,
}
