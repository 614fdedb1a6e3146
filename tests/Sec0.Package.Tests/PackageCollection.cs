namespace Sec0.Package.Tests;

/// <summary>The tests that share one packed package (packing takes the longest).</summary>
[CollectionDefinition(nameof(PackageCollection))]
public sealed class PackageCollection : ICollectionFixture<PackedPackage>
{
}
