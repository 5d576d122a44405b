using DyCompile.Backends.Cpu;
using DyCompile.Passes.Pipeline;

namespace DyCompile.Backends.Host;

/// <summary>The generated C# of one partitioned program: a class per distinct segment and the
/// host dispatcher, in their own namespace.</summary>
public sealed record GeneratedProgram(string Namespace, string HostClass, string Source)
{
    public string HostTypeName => Namespace + "." + HostClass;
}

/// <summary>Generates C# for partitioned programs; several programs can share one source file
/// (one Roslyn compilation), each in its own namespace.</summary>
public static class ProgramGenerator
{
    public const string Usings = """
        using System;
        using System.Collections.Generic;
        using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
        using System.Runtime.InteropServices;
        using System.Runtime.Intrinsics;
        using DyCompile.Runtime.Compiled;
        using DyCompile.Runtime;

        """;

    /// <param name="planned">A program after every pass before code generation (<see cref="PassPipeline"/>).</param>
    /// <param name="profileSteps">Generate segments that time every step (<see cref="Runtime.Compiled.StepProfile"/>).</param>
    public static GeneratedProgram Generate(PlannedProgram planned, string ns, bool profileSteps = false)
    {
        var program = planned.Partition;
        var w = new CodeWriter();
        var hostClass = CSharpSyntax.Identifier("Program_", program.Name);
        var segments = program.Distinct.ToDictionary(d => d, d => new SegmentEmitter(planned[d], $"Segment_{d.Name}", profileSteps));
        w.Line($"// Generated from program @{program.Name}: {program.Segments.Count} segment(s), {program.Distinct.Count} distinct.");
        using (w.Block($"namespace {ns}"))
        {
            foreach (var d in program.Distinct)
            {
                segments[d].Emit(w, d.Hash);
                w.Line();
            }
            new HostEmitter(program, segments, hostClass).Emit(w);
        }
        return new GeneratedProgram(ns, hostClass, w.ToString());
    }
}
