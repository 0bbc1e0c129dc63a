package dev.clearance;

import dev.clearance.access.Reconciler;
import dev.clearance.documents.ReembedJob;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.Micronaut;
import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import java.util.Map;

/** Entry point of the Clearance service. */
@OpenAPIDefinition(
        info =
                @Info(
                        title = "Clearance",
                        version = "0.1",
                        description = "Permission-aware document search for people and AI agents. Errors are "
                                + "application/problem+json. Every response carries the service's own request id "
                                + "in X-Request-Id; a client's X-Request-Id is recorded beside it, never in its "
                                + "place."),
        security = @SecurityRequirement(name = "bearer"))
@SecurityScheme(name = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer", bearerFormat = "JWT")
public final class Application {

    private Application() {}

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("reembed")) {
            // Maintenance mode: no HTTP server; rewrite all vectors with the configured model.
            try (ApplicationContext context = ApplicationContext.run(Map.of("clearance.reembed", "true"))) {
                context.getBean(ReembedJob.class).run();
            }
            return;
        }
        if (args.length > 0 && args[0].equals("reconcile")) {
            // Maintenance: compare OpenFGA with the desired state once, repair, print what was found.
            try (ApplicationContext context = ApplicationContext.run()) {
                Reconciler.Report report = context.getBean(Reconciler.class).run();
                System.out.println(
                        report.ran()
                                ? "reconciled " + report.objects() + " objects, " + report.tuples() + " tuples: "
                                        + report.byTenant()
                                : "another instance is reconciling; nothing done");
            }
            return;
        }
        Micronaut.run(Application.class, args);
    }
}
