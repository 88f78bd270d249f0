package lessismore.cli;

import java.io.PrintWriter;
import lessismore.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code lessismore} command line. */
@Command(name = "lessismore", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "Makes CT pre-training datasets smaller and better by removing redundant slices, "
                + "and pre-trains on them.",
        subcommands = {ReduceCommand.class, PretrainCommand.class, EmbedCommand.class, EvaluateCommand.class,
            ExperimentCommand.class, ExportOnnxCommand.class, DoctorCommand.class,
            DemoCommand.class, SynthCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:done (skipped files are listed in the manifest)",
            "1:internal error",
            "2:bad usage or unusable input/output path (nothing written)",
            "3:nothing to do: no usable image slice in the input"})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: reduce, pretrain, embed, evaluate, experiment, export-onnx, doctor, demo or synth");
    }

    /** Runs the CLI with {@code args} on stdout/stderr and returns the exit code (no System.exit). */
    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Runs the CLI with {@code args}, writing to {@code out} and {@code err}; returns the exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        // Bad usage, whether picocli finds it while parsing or a command while checking its values
        // (picocli routes both here): one line saying what is wrong and where the help is, not
        // the whole usage text.
        cl.setParameterExceptionHandler((ex, args1) -> {
            CommandLine cmd = ex.getCommandLine();
            cmd.getErr().println("lessismore: " + ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, cmd.getErr());
            cmd.getErr().println("(see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
            return ExitCodes.BAD_INPUT;
        });
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("lessismore: internal error: " + e);
            if (System.getenv("LESSISMORE_DEBUG") != null) {
                e.printStackTrace(cmd.getErr());
            } else {
                cmd.getErr().println("(set LESSISMORE_DEBUG=1 for the stack trace)");
            }
            return ExitCodes.INTERNAL_ERROR;
        });
        return cl.execute(args);
    }

    /** Process entry point. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Version from the build. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"lessismore " + Version.get(), "Java " + Runtime.version()};
        }
    }
}
