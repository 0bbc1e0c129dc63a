package dev.clearance;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.micronaut.http.annotation.Controller;

/**
 * The package-by-feature layout, kept honest: each external SDK stays in the feature that owns it,
 * features depend on each other one way only (documents → access; search → documents, access;
 * answer, mcp → search), and the plumbing in {@code platform} knows no feature.
 */
@AnalyzeClasses(packages = "dev.clearance", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    private static final String[] JDBC = {"java.sql..", "javax.sql..", "com.pgvector..", "org.postgresql.."};

    @ArchTest
    static final ArchRule featuresHaveNoCycles =
            slices().matching("dev.clearance.(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule onlyAccessTalksToOpenFga = noClasses()
            .that()
            .resideOutsideOfPackage("dev.clearance.access..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("dev.openfga..");

    @ArchTest
    static final ArchRule onlyEmbedAndChunkUseLangChain4j = noClasses()
            .that()
            .resideOutsideOfPackages("dev.clearance.embed..", "dev.clearance.chunk..", "dev.clearance.answer.llm..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("dev.langchain4j..");

    /** SQL lives in each feature's repository classes; entry points and services go through them. */
    @ArchTest
    static final ArchRule entryPointsAndServicesDoNotUseJdbc = noClasses()
            .that()
            .areAnnotatedWith(Controller.class)
            .or()
            .haveSimpleNameEndingWith("Service")
            .or()
            .haveSimpleNameEndingWith("Tools")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(JDBC);

    @ArchTest
    static final ArchRule featuresWithoutTablesDoNotUseJdbc = noClasses()
            .that()
            .resideInAnyPackage(
                    "dev.clearance.identity..",
                    "dev.clearance.answer..",
                    "dev.clearance.mcp..",
                    "dev.clearance.chunk..",
                    "dev.clearance.embed..",
                    "dev.clearance.demo..",
                    "dev.clearance.contract..",
                    "dev.clearance.jobs..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(JDBC);

    /** Access decides; it never reads text or calls back into the features that ask it. */
    @ArchTest
    static final ArchRule accessKnowsNoTextFeature = noClasses()
            .that()
            .resideInAPackage("dev.clearance.access..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "dev.clearance.documents..",
                    "dev.clearance.search..",
                    "dev.clearance.answer..",
                    "dev.clearance.mcp..",
                    "dev.clearance.audit..");

    @ArchTest
    static final ArchRule searchDoesNotCallItsClients = noClasses()
            .that()
            .resideInAnyPackage("dev.clearance.search..", "dev.clearance.documents..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.clearance.answer..", "dev.clearance.mcp..");

    @ArchTest
    static final ArchRule platformKnowsNoFeature = noClasses()
            .that()
            .resideInAPackage("dev.clearance.platform..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "dev.clearance.access..",
                    "dev.clearance.answer..",
                    "dev.clearance.audit..",
                    "dev.clearance.documents..",
                    "dev.clearance.identity..",
                    "dev.clearance.limits..",
                    "dev.clearance.mcp..",
                    "dev.clearance.search..");

    /** The ingest job is a client of the HTTP API: it runs apart from the service and may face an older one. */
    @ArchTest
    static final ArchRule theIngestJobKnowsOnlyTheHttpApi = noClasses()
            .that()
            .resideInAPackage("dev.clearance.jobs..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "dev.clearance",
                    "dev.clearance.access..",
                    "dev.clearance.answer..",
                    "dev.clearance.audit..",
                    "dev.clearance.chunk..",
                    "dev.clearance.demo..",
                    "dev.clearance.documents..",
                    "dev.clearance.embed..",
                    "dev.clearance.identity..",
                    "dev.clearance.limits..",
                    "dev.clearance.mcp..",
                    "dev.clearance.platform..",
                    "dev.clearance.search..");
}
