using System.Text;
using Sec0.Hops;

namespace Sec0.Instrumentation.Tests.Hops;

/// <summary>The canonical arguments an escalated hop call is bound to: RFC 8785 JSON of parameter name → value.</summary>
public sealed class HopArgumentsTests
{
    private static string Canonical(HopArguments arguments) => Encoding.UTF8.GetString(arguments.ToCanonicalJson());

    [Fact]
    public void No_arguments_are_an_empty_object()
        => Assert.Equal("{}", Canonical(new HopArguments()));

    [Fact]
    public void Members_are_sorted_by_name_and_values_are_canonical_json_whatever_the_order_they_were_added_in()
    {
        var arguments = new HopArguments();
        arguments.Add("zeta", new Dictionary<string, object?> { ["b"] = 1.50m, ["a"] = "é\u2028" });
        arguments.Add("alpha", 12.50m);
        arguments.Add("Beta", (string?)null);
        arguments.Add("tags", new[] { "x", "y" });

        // RFC 8785 writes U+2028 as it is (as JSON.stringify does), and 12.50m as 12.5.
        Assert.Equal("{\"Beta\":null,\"alpha\":12.5,\"tags\":[\"x\",\"y\"],\"zeta\":{\"a\":\"é\u2028\",\"b\":1.5}}", Canonical(arguments));
    }

    [Fact]
    public void A_value_is_serialised_as_its_run_time_type()
    {
        var arguments = new HopArguments();
        arguments.Add<object>("order", new Order("o-1", 3));

        Assert.Equal("""{"order":{"Id":"o-1","Items":3}}""", Canonical(arguments));
    }

    [Fact]
    public void Values_that_cannot_be_written_are_hashed_as_a_marker_naming_their_type()
    {
        var cycle = new Node();
        cycle.Next = cycle;
        var arguments = new HopArguments();
        arguments.Add("cycle", cycle);
        arguments.Add("nan", double.NaN);
        arguments.AddNotHashed("span", "System.ReadOnlySpan<byte>");

        Assert.Equal(
            """{"cycle":{"sec0_not_hashed":"Sec0.Instrumentation.Tests.Hops.HopArgumentsTests+Node"},"nan":{"sec0_not_hashed":"System.Double"},"span":{"sec0_not_hashed":"System.ReadOnlySpan<byte>"}}""",
            Canonical(arguments));
    }

    [Fact]
    public void The_same_name_twice_is_a_bug_not_a_silent_choice()
    {
        var arguments = new HopArguments();
        arguments.Add("a", 1);
        arguments.Add("a", 2);

        Assert.Throws<InvalidOperationException>(() => arguments.ToCanonicalJson());
    }

    public sealed record Order(string Id, int Items);

    public sealed class Node
    {
        public Node? Next { get; set; }
    }
}
