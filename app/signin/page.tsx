import type { Metadata } from 'next';
import { AuthForm } from '../_components/auth-form.tsx';

export const metadata: Metadata = { title: 'Sign in' };

export default function SignInPage() {
  return <AuthForm mode="signin" />;
}
