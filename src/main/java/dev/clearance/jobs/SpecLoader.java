package dev.clearance.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.clearance.contract.IdRules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

/** Reads and validates a job spec; every problem is reported at once so a spec is fixed in one go. */
final class SpecLoader {

    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern SUBJECT = Pattern.compile("(user|agent):(.*)|group:(.*)#member");
    private static final Pattern URL = Pattern.compile("https?://\\S+");
    private static final String SUBJECT_HINT = " (expected user:<id>, agent:<id>, group:<id>#member or user:*)";

    private SpecLoader() {}

    static JobSpec load(Path file) throws SpecException {
        JobSpec spec;
        try {
            String text = Files.readString(file);
            spec = text.isBlank() ? null : YAML.readValue(text, JobSpec.class);
        } catch (JsonMappingException e) {
            throw new SpecException(List.of(
                    where(e) + e.getOriginalMessage().lines().findFirst().orElse("")));
        } catch (JsonProcessingException e) {
            throw new SpecException(List.of("not valid YAML: " + e.getOriginalMessage()));
        } catch (IOException e) {
            throw new SpecException(List.of("cannot read " + file + ": " + e.getMessage()));
        }
        if (spec == null) {
            throw new SpecException(List.of("the spec is empty"));
        }
        if (spec.name() == null) {
            spec = spec.withName(file.getFileName().toString().replaceFirst("\\.ya?ml$", ""));
        }
        List<String> errors = validate(spec);
        if (!errors.isEmpty()) {
            throw new SpecException(errors);
        }
        return spec;
    }

    // Tenants, ids and principals by the contract's rules (IdRules), which the service checks too:
    // a spec the service would refuse in part fails here, before anything is sent.
    private static List<String> validate(JobSpec spec) {
        List<String> errors = new ArrayList<>();
        String tenant = spec.tenant() == null ? "" : spec.tenant();
        require(NAME.matcher(spec.name()).matches(), errors, "name: must match " + NAME.pattern());
        require(
                spec.tenant() != null && IdRules.TENANT.matcher(spec.tenant()).matches(),
                errors,
                "tenant: required, must match " + IdRules.TENANT.pattern());
        require(
                spec.service() == null || URL.matcher(spec.service()).matches(),
                errors,
                "service: must be an http(s) URL");
        if (spec.demoToken() != null) {
            String user = spec.demoToken().user();
            require(notBlank(user), errors, "demoToken.user: required");
            require(
                    !notBlank(user) || IdRules.PRINCIPAL_ID.matcher(user).matches(),
                    errors,
                    "demoToken.user: must be a user id without whitespace, '#', ':' or '*'");
            require(
                    spec.demoToken().tenant() == null
                            || IdRules.TENANT.matcher(spec.demoToken().tenant()).matches(),
                    errors,
                    "demoToken.tenant: must match " + IdRules.TENANT.pattern());
        }
        if (spec.source() == null || !notBlank(spec.source().directory())) {
            errors.add("source.directory: required");
        } else {
            spec.source().include().forEach(g -> glob("source.include", g, errors));
            spec.source().exclude().forEach(g -> glob("source.exclude", g, errors));
        }
        boolean hasRoot = spec.rootFolder() != null;
        require(
                !hasRoot
                        || (IdMapping.isValid("folder", tenant, spec.rootFolder())
                                && !spec.rootFolder().contains("~")),
                errors,
                "rootFolder: must be " + idRule("folder", tenant) + ", without '~'");
        spec.groups().forEach((group, members) -> {
            require(IdMapping.isValid("group", tenant, group), errors, "groups." + group + ": not a valid group id");
            subjects("groups." + group, members, tenant, errors);
        });
        spec.folders().forEach((path, grants) -> {
            String normal = IdMapping.normalise(path);
            require(normal != null, errors, "folders." + path + ": must be a relative directory path");
            require(
                    normal == null || !normal.isEmpty() || hasRoot,
                    errors,
                    "folders." + path + ": the source directory itself is a folder only when rootFolder is set");
            grants(grants == null ? JobSpec.Grants.NONE : grants, "folders." + path, tenant, errors);
        });
        for (int i = 0; i < spec.files().size(); i++) {
            JobSpec.FileRule rule = spec.files().get(i);
            require(notBlank(rule.match()), errors, "files[" + i + "].match: required");
            glob("files[" + i + "].match", rule.match(), errors);
            grants(rule.grants(), "files[" + i + "]", tenant, errors);
        }
        spec.metadata()
                .forEach((key, value) -> require(
                        notBlank(key) && value != null,
                        errors,
                        "metadata." + key + ": keys and values must not be empty"));
        require(spec.concurrency() >= 1 && spec.concurrency() <= 32, errors, "concurrency: must be 1 to 32");
        require(
                spec.batchSize() >= 1 && spec.batchSize() <= 100,
                errors,
                "batchSize: must be 1 to 100 (the service takes at most 100 documents per batch)");
        return errors;
    }

    /** How the id rule for a {@code type} object of {@code tenant} reads in error messages. */
    static String idRule(String type, String tenant) {
        return "1 to " + IdMapping.maxLength(type, tenant)
                + " characters of A-Z a-z 0-9 . _ ~ @ = + -, starting with a letter or digit";
    }

    private static void grants(JobSpec.Grants grants, String where, String tenant, List<String> errors) {
        require(!grants.isEmpty(), errors, where + ": give at least one of viewers, editors, owners");
        subjects(where + ".viewers", grants.viewers(), tenant, errors);
        subjects(where + ".editors", grants.editors(), tenant, errors);
        subjects(where + ".owners", grants.owners(), tenant, errors);
    }

    private static void glob(String where, String glob, List<String> errors) {
        try {
            new Glob(glob == null ? "" : glob);
        } catch (PatternSyntaxException e) {
            errors.add(where + ": '" + glob + "' is not a valid glob");
        }
    }

    /** Checks grant subjects of a spec or manifest; {@code tenant} bounds the length of group ids. */
    static void subjects(String where, List<String> subjects, String tenant, List<String> errors) {
        if (subjects == null) {
            return;
        }
        for (String subject : subjects) {
            require(isSubject(subject, tenant), errors, where + ": '" + subject + "' is not a subject" + SUBJECT_HINT);
        }
    }

    // user:* is every user of the tenant; agents are granted by name only.
    private static boolean isSubject(String subject, String tenant) {
        Matcher m = subject == null ? null : SUBJECT.matcher(subject);
        if (m == null || !m.matches()) {
            return false;
        }
        if (m.group(1) == null) {
            return IdMapping.isValid("group", tenant, m.group(3));
        }
        return m.group(2).equals("*")
                ? m.group(1).equals("user")
                : IdRules.PRINCIPAL_ID.matcher(m.group(2)).matches();
    }

    private static String where(JsonMappingException e) {
        String path = e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."))
                .replace(".[", "[");
        String line = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
        return path.isEmpty() ? "" : path + line + ": ";
    }

    private static void require(boolean ok, List<String> errors, String message) {
        if (!ok) {
            errors.add(message);
        }
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }

    /** The spec cannot be used; {@link #problems()} says why. */
    static final class SpecException extends Exception {
        private final List<String> problems;

        SpecException(List<String> problems) {
            super(String.join("; ", problems));
            this.problems = List.copyOf(problems);
        }

        List<String> problems() {
            return problems;
        }
    }
}
