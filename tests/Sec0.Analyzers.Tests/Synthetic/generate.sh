#!/usr/bin/env bash
# Writes a synthetic project with 2,000 [Sec0Hop] methods (100 files x 20), 20,000 hop call sites and a
# sec0.config.yaml with an entry for every hop (plus one stale entry and one hop without an entry, so
# SEC0001 and SEC0002 fire once each). The project loads the generator and the analyzers from this
# repository the way the package does (as analyzers), so the build measures them as a user gets them.
#
#   tests/Sec0.Analyzers.Tests/Synthetic/generate.sh /tmp/sec0-synthetic
#   dotnet build /tmp/sec0-synthetic -p:ReportAnalyzer=true -v:d | sed -n '/Total analyzer execution time/,/^\s*$/p'
#
# ReportAnalyzer prints the time per analyzer and per generator (Sec0HopAnalyzer, HopGenerator).
set -euo pipefail
out="${1:?usage: generate.sh <output folder>}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
files=100
per_file=20
calls_per_hop=10
mkdir -p "$out/Hops" "$out/Calls"

cat > "$out/Synthetic.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <InterceptorsNamespaces>\$(InterceptorsNamespaces);Sec0.Generated</InterceptorsNamespaces>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
    <TreatWarningsAsErrors>false</TreatWarningsAsErrors>
  </PropertyGroup>
  <ItemGroup>
    <ProjectReference Include="$repo/src/Sec0.Instrumentation/Sec0.Instrumentation.csproj" />
    <ProjectReference Include="$repo/generators/Sec0.Generators/Sec0.Generators.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
    <ProjectReference Include="$repo/analyzers/Sec0.Analyzers/Sec0.Analyzers.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
    <AdditionalFiles Include="sec0.config.yaml" />
  </ItemGroup>
</Project>
XML
# The analyzer's dependency must be passed to the compiler too (the package puts it beside the analyzer).
cat > "$out/Directory.Build.targets" <<XML
<Project>
  <ItemGroup>
    <Analyzer Include="$repo/analyzers/Sec0.Analyzers/bin/\$(Configuration)/netstandard2.0/YamlDotNet.dll" />
  </ItemGroup>
</Project>
XML
# Keep the repository's Directory.Build.props / Packages.props out of the synthetic project.
echo '<Project />' > "$out/Directory.Build.props"
echo '<Project />' > "$out/Directory.Packages.props"

{
  echo "app:"
  echo "  tenant: synthetic"
  echo "  environment: dev"
  echo "  hops:"
  for ((f = 0; f < files; f++)); do
    for ((m = 0; m < per_file; m++)); do
      [[ $f -eq 0 && $m -eq 0 ]] && continue   # Agent0.Step0 has no entry: one SEC0001
      echo "    Agent$f.Step$m: { type: agent, nodeId: n$f-$m, agentName: a$f, agentVersion: \"1.0.0\" }"
    done
  done
  echo "    Removed.Hop: { type: skill, skill: s, nodeId: gone }"   # one SEC0002
  echo "controlPlane:"
  echo "  sec0Dir: ./.sec0"
  echo "  localSignerPath: ./.sec0/keys/ed25519.key"
} > "$out/sec0.config.yaml"

for ((f = 0; f < files; f++)); do
  {
    echo "using Sec0;"
    echo "namespace Synthetic;"
    echo "public class Agent$f"
    echo "{"
    for ((m = 0; m < per_file; m++)); do
      echo "    [Sec0Hop] public int Step$m(int x) => x + $m;"
    done
    echo "}"
  } > "$out/Hops/Agent$f.cs"
  {
    echo "namespace Synthetic;"
    echo "public static class Calls$f"
    echo "{"
    echo "    public static int Run(Agent$f a)"
    echo "    {"
    echo "        var total = 0;"
    for ((m = 0; m < per_file; m++)); do
      for ((c = 0; c < calls_per_hop; c++)); do
        echo "        total += a.Step$m($c);"
      done
    done
    echo "        return total;"
    echo "    }"
    echo "}"
  } > "$out/Calls/Calls$f.cs"
done
echo "wrote $((files * per_file)) hops and $((files * per_file * calls_per_hop)) call sites to $out"
