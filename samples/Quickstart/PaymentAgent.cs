using System.Globalization;

namespace Sec0.Samples.Quickstart;

/// <summary>An agent that moves money: the hop the quickstart config's enforcement block denies.</summary>
public sealed class PaymentAgent
{
    /// <summary>Charges <paramref name="amount"/> to <paramref name="account"/>. A stand-in for a payment API.</summary>
    /// <param name="account">The account to charge.</param>
    /// <param name="amount">The amount in EUR.</param>
    /// <returns>The payment receipt.</returns>
    [Sec0Hop(Type = HopType.Agent)]
    public async Task<string> Charge(string account, decimal amount)
    {
        HopGuard.Enter();
        await Task.Delay(10).ConfigureAwait(false);
        return string.Create(CultureInfo.InvariantCulture, $"charged {amount:0.00} EUR to {account}");
    }
}
