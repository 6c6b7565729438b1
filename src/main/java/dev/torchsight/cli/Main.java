package dev.torchsight.cli;

import dev.torchsight.core.Natives;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.Versions;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code torchsight} command line: thin commands over the library. */
@Command(name = "torchsight", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Shows what a PyTorch model sees: Grad-CAM heatmaps and t-SNE maps.",
        subcommands = {InfoCommand.class, DemoCommand.class, LayersCommand.class, GradcamCommand.class, TsneCommand.class,
            CommandLine.HelpCommand.class})
public final class Main {
    /** Exit code for input the user can fix (bad file, option or size). */
    public static final int EXIT_USAGE = 2;

    /** Runs the CLI and exits the JVM with its status. */
    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        // The CLI's own logging format (slf4j-simple is bundled in the CLI jar only); a user's -D wins.
        for (String[] setting : new String[][] {{"defaultLogLevel", "info"}, {"showThreadName", "false"},
                {"showLogName", "false"}, {"levelInBrackets", "true"}}) {
            if (System.getProperty("org.slf4j.simpleLogger." + setting[0]) == null) {
                System.setProperty("org.slf4j.simpleLogger." + setting[0], setting[1]);
            }
        }
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit status (0 success, 2 bad input, 1 internal error). */
    public static int run(String... args) {
        return run(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
    }

    /** Runs the CLI with the given output streams and returns the exit status. */
    public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        try {
            // Before picocli creates any command: the one native gate, then the process settings the CLI asks for.
            Natives.ensureLoaded();
            ProcessSettings.apply();
        } catch (TorchsightException e) {
            err.println("torchsight: error: " + FlagHints.oneLine(e.getMessage()));
            return EXIT_USAGE;
        }
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof TorchsightException e) {
                cmd.getErr().println("torchsight: error: " + FlagHints.line(e, cmd.getCommandSpec()));
                return EXIT_USAGE;
            }
            return internalError(cmd.getErr(), ex);
        });
        cli.setParameterExceptionHandler((ex, params) -> {
            CommandLine cmd = ex.getCommandLine();
            cmd.getErr().println("torchsight: error: " + FlagHints.oneLine(ex.getMessage()) + " (see: "
                    + cmd.getCommandSpec().qualifiedName() + " --help)");
            return EXIT_USAGE;
        });
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            err.println("torchsight: error: the Java heap (" + Runtime.getRuntime().maxMemory() / (1 << 20)
                    + " MiB) is too small for this input; raise it (java -Xmx8g -jar torchsight.jar ...) or use fewer rows (--limit)");
            return EXIT_USAGE;
        } catch (Error e) {
            return internalError(err, e);
        }
    }

    /** A defect of torchsight, not of the input: one line, the stack trace only on request; exit 1. */
    private static int internalError(java.io.PrintWriter err, Throwable e) {
        err.println("torchsight: internal error: " + FlagHints.oneLine(String.valueOf(e))
                + " (please report it; set TORCHSIGHT_DEBUG=1 for the stack trace)");
        if (System.getenv("TORCHSIGHT_DEBUG") != null) {
            e.printStackTrace(err);
        }
        return 1;
    }

    /** Reports torchsight's version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"torchsight " + Versions.torchsight()};
        }
    }
}
