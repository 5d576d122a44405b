using System.Reflection;
using DyCompile.Compiler;
using DyCompile.IR;
using DyCompile.Runtime;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace DyCompile.Zoo.Tests;

/// <summary>The smallest form of BlockDrop's residual loop: in a counted loop over a module list,
/// the shortcut — which widens the tensor on the first iteration only — is computed from the
/// counter before the list is indexed by it. The loop has to be unrolled (the index must be known)
/// and the tensor after it is [1, 8]; the eager pass and the lowered program must agree.</summary>
public class ShortcutBeforeIndexLoweringTests
{
    private const string Source = """
        using System;
        using DyCompile.Runtime;
        using DyCompile.Runtime.Nn;

        public sealed class PaddedResidual : Module
        {
            public PaddedResidual(Random g)
            {
                Layers = RegisterModule("layers", new ModuleList<Linear>([new Linear(4, 8, generator: g), new Linear(8, 8, generator: g)]));
                Head = RegisterModule("head", new Linear(8, 3, generator: g));
            }

            public ModuleList<Linear> Layers { get; }

            public Linear Head { get; }

            public Tensor Forward(Tensor x)
            {
                for (var i = 0; i < Layers.Count; i++)
                    x = (Shortcut(x, i) + Layers[i].Forward(x)).Relu();
                return Head.Forward(x);
            }

            private static Tensor Shortcut(Tensor x, int i) => i == 0 ? TensorOps.Concat([x, x * 0f], 1) : x;
        }
        """;

    [Fact]
    public void ALoopThatBranchesOnItsCounterBeforeIndexingAModuleListLowers()
    {
        var compilation = CSharpCompilation.Create("PaddedResidual", [CSharpSyntaxTree.ParseText(Source, new CSharpParseOptions(LanguageVersion.Latest))],
            ModelLowering.References.Value, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var stream = new MemoryStream();
        Assert.True(compilation.Emit(stream).Success);
        var type = Assembly.Load(stream.ToArray()).GetType("PaddedResidual")!;
        var model = type.GetConstructor([typeof(Random)])!.Invoke([new Random(3)]);
        var x = Tensor.FromArray([0.5f, -1f, 2f, 0.25f], 1, 4);

        var lowered = ModelLowering.Lower(compilation, "PaddedResidual", "Forward", model,
            new LoweringOptions { InputTypes = [IRType.F32(1, 4)], Strict = true });

        Assert.True(lowered.Succeeded, string.Join("\n", lowered.Diagnostics));
        var expected = (Tensor)type.GetMethod("Forward")!.Invoke(model, [x])!;
        var actual = (Tensor)new Interpreter().Run(lowered.Program!, [x], lowered.Weights).Outputs[0];
        Assert.Equal(expected.Floats.ToArray(), actual.Floats.ToArray());
    }
}
